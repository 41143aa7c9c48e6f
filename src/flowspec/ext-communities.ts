// Traffic filtering action extended communities (RFC 8955 §7; RFC 4360 8-byte layout).
//
//  type  subtype  value (6 bytes)
//  0x80  0x06     traffic-rate-bytes:   2-byte ID (AS) + IEEE 754 float32 bytes/s (0 = discard)
//  0x80  0x0c     traffic-rate-packets: 2-byte ID (AS) + float32 packets/s
//  0x80  0x07     traffic-action:       46 reserved bits, S (sample, bit 46), T (terminal, bit 47)
//  0x80  0x08     rt-redirect AS-2octet: 2-byte AS + 4-byte local administrator
//  0x81  0x08     rt-redirect IPv4:      4-byte address + 2-byte local administrator
//  0x82  0x08     rt-redirect AS-4octet: 4-byte AS + 2-byte local administrator
//  0x80  0x09     traffic-marking:       5 reserved bytes + DSCP in the low 6 bits
import { ByteReader, decodeWith } from '../lib/byte-reader.js';
import { ByteWriter, bytesToHex } from '../lib/byte-writer.js';
import type { Result } from '../lib/result.js';

export const EXT_COMMUNITY = {
  trafficRateBytes: 0x8006,
  trafficAction: 0x8007,
  redirectAs2: 0x8008,
  trafficMarking: 0x8009,
  trafficRatePackets: 0x800c,
  redirectIpv4: 0x8108,
  redirectAs4: 0x8208,
} as const;

export type FlowspecExtCommunity =
  | { readonly kind: 'traffic-rate-bytes'; readonly asn: number; readonly bytesPerSec: number }
  | { readonly kind: 'traffic-rate-packets'; readonly asn: number; readonly packetsPerSec: number }
  /** `terminal` is the model's sense: T bit clear (RFC 8955 §7.3: T set = apply subsequent rules too). */
  | { readonly kind: 'traffic-action'; readonly sample: boolean; readonly terminal: boolean }
  /** Target text "ASN:NN" or "a.b.c.d:NN"; `format` tells which of the three encodings. */
  | { readonly kind: 'redirect'; readonly format: 'as2' | 'ipv4' | 'as4'; readonly target: string }
  | { readonly kind: 'traffic-marking'; readonly dscp: number }
  /** Any other extended community (route targets, colour, ...), kept as 16 hex digits. */
  | { readonly kind: 'other'; readonly hex: string };

function f32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getFloat32(0, false);
}

function f32Bytes(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setFloat32(0, v, false);
  return out;
}

/** Decode one 8-byte community. A flowspec action whose value is unusable is malformed (RFC 8955 §10). */
export function readExtCommunity(r: ByteReader): FlowspecExtCommunity {
  const at = r.offset;
  const typeSub = r.u16('extended community type');
  const value = r.bytes(6, 'extended community value');
  const v = new ByteReader(value);
  switch (typeSub) {
    case EXT_COMMUNITY.trafficRateBytes:
    case EXT_COMMUNITY.trafficRatePackets: {
      const asn = v.u16();
      const rate = f32(v.bytes(4));
      if (!Number.isFinite(rate) || rate < 0) r.fail('flowspec_ext_community_invalid', `traffic-rate ${rate} is not a finite non-negative float`, at);
      return typeSub === EXT_COMMUNITY.trafficRateBytes
        ? { kind: 'traffic-rate-bytes', asn, bytesPerSec: rate }
        : { kind: 'traffic-rate-packets', asn, packetsPerSec: rate };
    }
    case EXT_COMMUNITY.trafficAction: {
      const last = value[5]!;
      return { kind: 'traffic-action', sample: (last & 0x02) !== 0, terminal: (last & 0x01) === 0 };
    }
    case EXT_COMMUNITY.redirectAs2:
      return { kind: 'redirect', format: 'as2', target: `${v.u16()}:${v.u32()}` };
    case EXT_COMMUNITY.redirectIpv4:
      return { kind: 'redirect', format: 'ipv4', target: `${Array.from(v.bytes(4)).join('.')}:${v.u16()}` };
    case EXT_COMMUNITY.redirectAs4:
      return { kind: 'redirect', format: 'as4', target: `${v.u32()}:${v.u16()}` };
    case EXT_COMMUNITY.trafficMarking:
      return { kind: 'traffic-marking', dscp: value[5]! & 0x3f };
    default:
      return { kind: 'other', hex: bytesToHex(r.buf.subarray(at, at + 8)) };
  }
}

export function decodeExtCommunity(bytes: Uint8Array): Result<FlowspecExtCommunity> {
  return decodeWith(() => {
    const r = new ByteReader(bytes);
    const c = readExtCommunity(r);
    if (!r.atEnd()) r.fail('flowspec_ext_community_invalid', `extended community is ${bytes.length} bytes, not 8`);
    return c;
  });
}

export function writeExtCommunity(w: ByteWriter, c: FlowspecExtCommunity): void {
  switch (c.kind) {
    case 'traffic-rate-bytes':
      w.u16(EXT_COMMUNITY.trafficRateBytes).u16(c.asn).bytes(f32Bytes(c.bytesPerSec));
      return;
    case 'traffic-rate-packets':
      w.u16(EXT_COMMUNITY.trafficRatePackets).u16(c.asn).bytes(f32Bytes(c.packetsPerSec));
      return;
    case 'traffic-action':
      w.u16(EXT_COMMUNITY.trafficAction).u32(0).u8(0).u8((c.sample ? 0x02 : 0) | (c.terminal ? 0 : 0x01));
      return;
    case 'redirect': {
      const [left, right] = splitTarget(c.target);
      if (c.format === 'as2') w.u16(EXT_COMMUNITY.redirectAs2).u16(Number(left)).u32(Number(right));
      else if (c.format === 'as4') w.u16(EXT_COMMUNITY.redirectAs4).u32(Number(left)).u16(Number(right));
      else {
        w.u16(EXT_COMMUNITY.redirectIpv4);
        for (const part of left.split('.')) w.u8(Number(part));
        w.u16(Number(right));
      }
      return;
    }
    case 'traffic-marking':
      w.u16(EXT_COMMUNITY.trafficMarking).u32(0).u8(0).u8(c.dscp & 0x3f);
      return;
    case 'other':
      for (let i = 0; i < 16; i += 2) w.u8(parseInt(c.hex.slice(i, i + 2), 16));
      return;
  }
}

export function encodeExtCommunity(c: FlowspecExtCommunity): Uint8Array {
  const w = new ByteWriter(8);
  writeExtCommunity(w, c);
  return w.finish();
}

function splitTarget(target: string): [string, string] {
  const i = target.lastIndexOf(':');
  return [target.slice(0, i), target.slice(i + 1)];
}

/**
 * Parse a redirect target "ASN:NN" or "a.b.c.d:NN" into the community that carries it:
 * a 2-byte ASN with a 4-byte value (0x8008), a 4-byte ASN with a 2-byte value (0x8208),
 * or an IPv4 address with a 2-byte value (0x8108). Undefined when it fits none.
 */
export function parseRedirectTarget(target: string): Extract<FlowspecExtCommunity, { kind: 'redirect' }> | undefined {
  const asMatch = /^(\d{1,10}):(\d{1,10})$/.exec(target);
  if (asMatch) {
    const asn = Number(asMatch[1]);
    const local = Number(asMatch[2]);
    if (asn <= 0xffff && local <= 0xffffffff) return { kind: 'redirect', format: 'as2', target: `${asn}:${local}` };
    if (asn <= 0xffffffff && local <= 0xffff) return { kind: 'redirect', format: 'as4', target: `${asn}:${local}` };
    return undefined;
  }
  const ipMatch = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}):(\d{1,5})$/.exec(target);
  if (ipMatch) {
    const octets = ipMatch.slice(1, 5).map(Number);
    const local = Number(ipMatch[5]);
    if (octets.some((o) => o > 255) || local > 0xffff) return undefined;
    return { kind: 'redirect', format: 'ipv4', target: `${octets.join('.')}:${local}` };
  }
  return undefined;
}
