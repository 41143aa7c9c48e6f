// IP prefixes (IPv4 and IPv6) as byte arrays, parsed with ipaddr.js.
import ipaddr from 'ipaddr.js';
import { type Result, err, ok } from './result.js';

export type IpFamily = 4 | 6;

export interface Prefix {
  readonly family: IpFamily;
  /** Network address bytes (4 or 16), host bits zeroed. */
  readonly bytes: Uint8Array;
  readonly length: number;
}

export interface PrefixParseError {
  readonly code: 'prefix_invalid' | 'prefix_length_out_of_range' | 'prefix_host_bits_set';
  readonly message: string;
}

export function familyBits(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

/** Parse an address (as a host prefix) or CIDR. Host bits set are an error unless `allowHostBits`. */
export function parsePrefix(text: string, opts: { allowHostBits?: boolean } = {}): Result<Prefix, PrefixParseError> {
  const s = text.trim();
  const slash = s.indexOf('/');
  const addrText = slash < 0 ? s : s.slice(0, slash);
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    if (!ipaddr.isValid(addrText)) return err({ code: 'prefix_invalid', message: `"${text}" is not an IPv4 or IPv6 address or prefix` });
    addr = ipaddr.parse(addrText);
  } catch {
    return err({ code: 'prefix_invalid', message: `"${text}" is not an IPv4 or IPv6 address or prefix` });
  }
  const family: IpFamily = addr.kind() === 'ipv4' ? 4 : 6;
  const max = familyBits(family);
  let length = max;
  if (slash >= 0) {
    const lenText = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText)) return err({ code: 'prefix_invalid', message: `"${text}": prefix length "${lenText}" is not a number` });
    length = Number(lenText);
    if (length > max) {
      return err({ code: 'prefix_length_out_of_range', message: `"${text}": prefix length ${length} is beyond the IPv${family} maximum of ${max}` });
    }
  }
  const raw = Uint8Array.from(addr.toByteArray());
  const bytes = maskBytes(raw, length);
  if (!opts.allowHostBits && !bytesEqual(raw, bytes)) {
    return err({ code: 'prefix_host_bits_set', message: `"${text}" has host bits set beyond /${length} (network is ${formatPrefix({ family, bytes, length })})` });
  }
  return ok({ family, bytes, length });
}

/** Parse or throw: for trusted literals in code and tests only. */
export function prefix(text: string): Prefix {
  const r = parsePrefix(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

export function parseAddress(text: string): Uint8Array | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  return Uint8Array.from(ipaddr.parse(text).toByteArray());
}

export function maskBytes(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const bitsHere = Math.max(0, Math.min(8, length - i * 8));
    out[i] = bitsHere === 0 ? 0 : bytes[i]! & (0xff << (8 - bitsHere));
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function formatAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  return ipaddr.fromByteArray(Array.from(bytes)).toString();
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddress(p.bytes)}/${p.length}`;
}

export function bitAt(bytes: Uint8Array, i: number): number {
  return (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
}

/** True when `outer` contains `inner` (same family, outer no longer, same leading bits). */
export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  if (outer.family !== inner.family || outer.length > inner.length) return false;
  return bytesEqual(maskBytes(inner.bytes, outer.length), outer.bytes);
}

export function prefixOverlaps(a: Prefix, b: Prefix): boolean {
  return prefixContains(a, b) || prefixContains(b, a);
}

export function addressInPrefix(address: Uint8Array, p: Prefix): boolean {
  if (address.length !== p.bytes.length) return false;
  return bytesEqual(maskBytes(address, p.length), p.bytes);
}

/** Number of addresses in the prefix, as a float (2^(bits-length)). */
export function prefixSize(p: Prefix): number {
  return 2 ** (familyBits(p.family) - p.length);
}
