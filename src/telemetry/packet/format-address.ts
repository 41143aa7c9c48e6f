// Address text straight from wire bytes, without allocating a byte array first. IPv4 has a
// table fast path; IPv6 follows RFC 5952 §4 (lower case, no leading zeros, the longest run of
// two or more zero groups, the first on a tie, as "::"), which is what ipaddr.js prints too, so
// decoded addresses compare equal to addresses parsed elsewhere (src/lib/prefix.ts).

const DECIMAL: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** IPv4 text of the 4 bytes at `off` (the caller has checked they exist). */
export function formatIpv4At(buf: Uint8Array, off: number): string {
  return `${DECIMAL[buf[off]!]}.${DECIMAL[buf[off + 1]!]}.${DECIMAL[buf[off + 2]!]}.${DECIMAL[buf[off + 3]!]}`;
}

/** IPv4 text of a 32-bit unsigned value. */
export function formatIpv4U32(v: number): string {
  return `${DECIMAL[(v >>> 24) & 0xff]}.${DECIMAL[(v >>> 16) & 0xff]}.${DECIMAL[(v >>> 8) & 0xff]}.${DECIMAL[v & 0xff]}`;
}

const groups = new Uint16Array(8);

/** IPv6 text (RFC 5952) of the 16 bytes at `off` (the caller has checked they exist). */
export function formatIpv6At(buf: Uint8Array, off: number): string {
  let bestStart = -1;
  let bestLen = 1; // a single zero group is not compressed (RFC 5952 §4.2.2)
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    const g = (buf[off + 2 * i]! << 8) | buf[off + 2 * i + 1]!;
    groups[i] = g;
    if (g === 0) {
      if (runStart < 0) runStart = i;
      if (i - runStart + 1 > bestLen) {
        bestLen = i - runStart + 1;
        bestStart = runStart;
      }
    } else runStart = -1;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += groups[i]!.toString(16);
    if (i < 7) s += ':';
  }
  return s;
}
