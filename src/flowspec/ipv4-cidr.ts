// Fast path for the commonest prefix text, "a.b.c.d/len" with no host bits set (the encoder runs
// it for every rule; the general parser in lib/prefix handles everything else).
export interface Ipv4Cidr {
  readonly bytes: readonly [number, number, number, number];
  readonly length: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** The address bytes and length, or undefined when the text is not canonical IPv4 CIDR. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const m = CIDR.exec(text);
  if (!m) return undefined;
  const bytes = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] as [number, number, number, number];
  const length = Number(m[5]);
  if (length > 32 || bytes.some((b) => b > 255)) return undefined;
  // No leading zeros ("010" is not canonical) and no host bits.
  if ([m[1], m[2], m[3], m[4]].some((o) => o!.length > 1 && o!.startsWith('0'))) return undefined;
  const address = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  const hostMask = length === 32 ? 0 : (0xffffffff >>> length) >>> 0;
  if ((address & hostMask) >>> 0 !== 0) return undefined;
  return { bytes, length };
}
