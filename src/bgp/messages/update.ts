// UPDATE message (RFC 4271 §4.3) with MP_REACH/MP_UNREACH_NLRI (RFC 4760) carrying Flowspec
// NLRI (RFC 8955/8956), decoded with RFC 7606 revised error handling:
//   - lengths that make the message unparsable: NOTIFICATION, session reset;
//   - a malformed attribute: treat-as-withdraw or attribute discard, the session stays up;
//   - a malformed Flowspec NLRI whose length is sound: that NLRI alone is withdrawn.
//
//  withdrawnLen(2) withdrawn(...) totalAttrLen(2) attributes(...) nlri(...)
//  attribute: flags(1) type(1) length(1, or 2 with the extended-length flag) value
import { ByteReader, decodeWith } from '../../lib/byte-reader.js';
import { ByteWriter, bytesToHex, hexToBytes } from '../../lib/byte-writer.js';
import { formatAddress, parseAddress } from '../../lib/prefix.js';
import { assert } from '../../lib/assert.js';
import {
  encodeFlowspecNlriValue,
  readExtCommunity,
  readFlowspecNlriList,
  withLengthPrefix,
  writeExtCommunity,
} from '../../flowspec/index.js';
import { AFI, AS_PATH_SEGMENT, ATTR, ATTR_FLAG, ERROR_CODE, SAFI, UPDATE_SUBCODE } from './constants.js';
import { failBgp, notification } from './errors.js';
import { readPrefixList, writePrefixList } from './prefixes.js';
import type { AsPathSegment, DecodeContext, FlowspecNlriItem, MpNlri, PathAttribute, UpdateIssue, UpdateMessage } from './types.js';

const SEGMENT_NAMES: Record<number, AsPathSegment['type']> = {
  [AS_PATH_SEGMENT.set]: 'set',
  [AS_PATH_SEGMENT.sequence]: 'sequence',
  [AS_PATH_SEGMENT.confedSequence]: 'confed-sequence',
  [AS_PATH_SEGMENT.confedSet]: 'confed-set',
};
const SEGMENT_CODES: Record<AsPathSegment['type'], number> = { set: 1, sequence: 2, 'confed-sequence': 3, 'confed-set': 4 };

/** Expected optional/transitive flag bits per known attribute (RFC 4271 §5, RFC 4760, RFC 4360, RFC 6793). */
const EXPECTED_FLAGS: Record<number, number> = {
  [ATTR.origin]: ATTR_FLAG.transitive,
  [ATTR.asPath]: ATTR_FLAG.transitive,
  [ATTR.nextHop]: ATTR_FLAG.transitive,
  [ATTR.med]: ATTR_FLAG.optional,
  [ATTR.localPref]: ATTR_FLAG.transitive,
  [ATTR.atomicAggregate]: ATTR_FLAG.transitive,
  [ATTR.aggregator]: ATTR_FLAG.optional | ATTR_FLAG.transitive,
  [ATTR.communities]: ATTR_FLAG.optional | ATTR_FLAG.transitive,
  [ATTR.mpReach]: ATTR_FLAG.optional,
  [ATTR.mpUnreach]: ATTR_FLAG.optional,
  [ATTR.extCommunities]: ATTR_FLAG.optional | ATTR_FLAG.transitive,
  [ATTR.as4Path]: ATTR_FLAG.optional | ATTR_FLAG.transitive,
  [ATTR.as4Aggregator]: ATTR_FLAG.optional | ATTR_FLAG.transitive,
};

/** RFC 7606 §7 / RFC 6793 §6: a malformed attribute of this type is discarded rather than withdrawing the NLRI. */
const DISCARD_WHEN_MALFORMED = new Set<number>([ATTR.atomicAggregate, ATTR.aggregator, ATTR.as4Path, ATTR.as4Aggregator]);

function readAsPath(v: ByteReader, asBytes: 2 | 4): AsPathSegment[] {
  const segments: AsPathSegment[] = [];
  while (!v.atEnd()) {
    const at = v.offset;
    const type = SEGMENT_NAMES[v.u8('segment type')];
    if (!type) v.fail('bgp_update_attribute_malformed', 'unknown AS_PATH segment type', at);
    const count = v.u8('segment length');
    // RFC 7606 §7.2: a zero segment length is malformed.
    if (count === 0) v.fail('bgp_update_attribute_malformed', 'AS_PATH segment of length 0', at + 1);
    const asns: number[] = [];
    for (let i = 0; i < count; i++) asns.push(asBytes === 4 ? v.u32('AS number') : v.u16('AS number'));
    segments.push({ type, asns });
  }
  return segments;
}

function exactLength(v: ByteReader, n: number, name: string): void {
  if (v.remaining !== n) v.fail('bgp_update_attribute_malformed', `${name} is ${v.remaining} bytes, expected ${n}`);
}

function readIpv4(v: ByteReader): string {
  return formatAddress(v.bytes(4));
}

function formatNextHop(bytes: Uint8Array): string {
  if (bytes.length === 0) return '';
  if (bytes.length === 4 || bytes.length === 16) return formatAddress(bytes);
  if (bytes.length === 32) return `${formatAddress(bytes.subarray(0, 16))} ${formatAddress(bytes.subarray(16))}`;
  return `0x${bytesToHex(bytes)}`;
}

function nextHopBytes(text: string): Uint8Array {
  if (text === '') return new Uint8Array(0);
  if (text.startsWith('0x')) return hexToBytes(text.slice(2));
  const parts = text.split(' ').map((t) => parseAddress(t));
  assert(parts.every((p) => p !== undefined), `next hop "${text}" is not addresses`);
  const out = new Uint8Array(parts.reduce((n, p) => n + p!.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p!, at);
    at += p!.length;
  }
  return out;
}

function isFlowspec(afi: number, safi: number): boolean {
  return safi === SAFI.flowspec && (afi === AFI.ipv4 || afi === AFI.ipv6);
}

function readMpNlri(v: ByteReader, afi: number, safi: number, ctx: DecodeContext): MpNlri {
  if (isFlowspec(afi, safi)) {
    const items: FlowspecNlriItem[] = readFlowspecNlriList(v, afi === AFI.ipv4 ? 'ipv4' : 'ipv6', { ipv6OffsetLayout: ctx.ipv6OffsetLayout ?? 'rfc8956' }).map((e) =>
      e.result.ok ? { nlri: e.result.value, hex: bytesToHex(e.value) } : { hex: bytesToHex(e.value), error: e.result.error },
    );
    return { kind: 'flowspec', items };
  }
  if (safi === SAFI.unicast && (afi === AFI.ipv4 || afi === AFI.ipv6)) {
    return { kind: 'prefixes', prefixes: readPrefixList(v, afi === AFI.ipv4 ? 4 : 6, 'bgp_update_mp_malformed') };
  }
  return { kind: 'raw', hex: bytesToHex(v.bytes(v.remaining)) };
}

/** Decode one attribute value. Throws DecodeFailure when the value is malformed. */
function readAttributeValue(code: number, flags: number, v: ByteReader, ctx: DecodeContext): PathAttribute {
  switch (code) {
    case ATTR.origin: {
      exactLength(v, 1, 'ORIGIN');
      const o = v.u8();
      if (o > 2) v.fail('bgp_update_attribute_malformed', `ORIGIN value ${o}`, v.offset - 1);
      return { code, flags, origin: o === 0 ? 'igp' : o === 1 ? 'egp' : 'incomplete' };
    }
    case ATTR.asPath:
      return { code, flags, segments: readAsPath(v, ctx.fourOctetAs ? 4 : 2) };
    case ATTR.as4Path:
      return { code, flags, segments: readAsPath(v, 4) };
    case ATTR.nextHop:
      exactLength(v, 4, 'NEXT_HOP');
      return { code, flags, nextHop: readIpv4(v) };
    case ATTR.med:
      exactLength(v, 4, 'MULTI_EXIT_DISC');
      return { code, flags, med: v.u32() };
    case ATTR.localPref:
      exactLength(v, 4, 'LOCAL_PREF');
      return { code, flags, localPref: v.u32() };
    case ATTR.atomicAggregate:
      exactLength(v, 0, 'ATOMIC_AGGREGATE');
      return { code, flags };
    case ATTR.aggregator:
      exactLength(v, ctx.fourOctetAs ? 8 : 6, 'AGGREGATOR');
      return { code, flags, asn: ctx.fourOctetAs ? v.u32() : v.u16(), address: readIpv4(v) };
    case ATTR.as4Aggregator:
      exactLength(v, 8, 'AS4_AGGREGATOR');
      return { code, flags, asn: v.u32(), address: readIpv4(v) };
    case ATTR.communities: {
      if (v.remaining === 0 || v.remaining % 4 !== 0) v.fail('bgp_update_attribute_malformed', `COMMUNITIES length ${v.remaining} is not a non-zero multiple of 4`);
      const communities: string[] = [];
      while (!v.atEnd()) communities.push(`${v.u16()}:${v.u16()}`);
      return { code, flags, communities };
    }
    case ATTR.extCommunities: {
      if (v.remaining === 0 || v.remaining % 8 !== 0) v.fail('bgp_update_attribute_malformed', `EXTENDED_COMMUNITIES length ${v.remaining} is not a non-zero multiple of 8`);
      const communities = [];
      while (!v.atEnd()) communities.push(readExtCommunity(v));
      return { code, flags, communities };
    }
    case ATTR.mpReach: {
      const afi = v.u16('AFI');
      const safi = v.u8('SAFI');
      const nhLen = v.u8('next hop length');
      if (nhLen + 1 > v.remaining) v.fail('bgp_update_mp_malformed', `next hop length ${nhLen} overruns MP_REACH_NLRI`, v.offset - 1);
      const nextHop = formatNextHop(v.bytes(nhLen));
      v.u8('reserved');
      return { code, flags, afi, safi, nextHop, nlri: readMpNlri(v, afi, safi, ctx) };
    }
    case ATTR.mpUnreach: {
      const afi = v.u16('AFI');
      const safi = v.u8('SAFI');
      return { code, flags, afi, safi, nlri: readMpNlri(v, afi, safi, ctx) };
    }
    default:
      return { code, flags, unknown: true, value: bytesToHex(v.bytes(v.remaining)) };
  }
}

export interface ReadUpdateResult {
  readonly message: UpdateMessage;
  readonly issues: UpdateIssue[];
}

/** Decode the UPDATE body (reader bounded by the message). Session-reset errors throw BgpDecodeFailure. */
export function readUpdate(r: ByteReader, ctx: DecodeContext): ReadUpdateResult {
  const attrList = (offset: number, message: string): never =>
    failBgp('bgp_update_attribute_list', offset, message, notification(ERROR_CODE.update, UPDATE_SUBCODE.malformedAttributeList));

  const wdAt = r.offset;
  const withdrawnLength = r.u16('withdrawn routes length');
  if (withdrawnLength + 2 > r.remaining) attrList(wdAt, `withdrawn routes length ${withdrawnLength} overruns the message`);
  const withdrawn = readNetworkField(r.sub(withdrawnLength));
  const taAt = r.offset;
  const attrLength = r.u16('total path attribute length');
  if (attrLength > r.remaining) attrList(taAt, `total path attribute length ${attrLength} overruns the message`);
  const a = r.sub(attrLength);
  const nlriReader = r.sub(r.remaining);

  const issues: UpdateIssue[] = [];
  const attributes: PathAttribute[] = [];
  const seen = new Set<number>();
  const present = new Set<number>();
  let overrun = false;
  while (!a.atEnd()) {
    const at = a.offset;
    // RFC 7606 §4: too few bytes for an attribute header, or a length past the list: treat-as-withdraw.
    const flags = a.buf[at]!;
    const headerLength = flags & ATTR_FLAG.extendedLength ? 4 : 3;
    if (a.remaining < headerLength) {
      overrun = true;
      issues.push({ code: 'bgp_update_attribute_overrun', offset: at, message: `${a.remaining} bytes left, too few for an attribute header`, action: 'treat-as-withdraw' });
      break;
    }
    a.u8();
    const code = a.u8();
    const length = headerLength === 4 ? a.u16() : a.u8();
    if (length > a.remaining) {
      overrun = true;
      issues.push({ code: 'bgp_update_attribute_overrun', offset: at, message: `attribute ${code} length ${length} overruns the attribute list (${a.remaining} left)`, action: 'treat-as-withdraw', attributeCode: code });
      break;
    }
    const v = a.sub(length);
    const isMp = code === ATTR.mpReach || code === ATTR.mpUnreach;
    if (seen.has(code)) {
      // RFC 7606 §3g: MP attributes twice reset the session; other duplicates are dropped.
      if (isMp) attrList(at, `attribute ${code} appears twice`);
      issues.push({ code: 'bgp_update_duplicate_attribute', offset: at, message: `attribute ${code} appears again; discarded`, action: 'attribute-discard', attributeCode: code });
      continue;
    }
    seen.add(code);
    const expected = EXPECTED_FLAGS[code];
    if (expected === undefined && !(flags & ATTR_FLAG.optional)) {
      failBgp(
        'bgp_update_unrecognized_well_known',
        at,
        `unknown well-known attribute ${code}`,
        notification(ERROR_CODE.update, UPDATE_SUBCODE.unrecognizedWellKnownAttribute, a.buf.subarray(at, v.end)),
      );
    }
    if (expected !== undefined && (flags & (ATTR_FLAG.optional | ATTR_FLAG.transitive)) !== expected) {
      issues.push({ code: 'bgp_update_attribute_flags', offset: at, message: `attribute ${code} flags 0x${flags.toString(16)} conflict with its type`, action: 'treat-as-withdraw', attributeCode: code });
    }
    const decoded = decodeWith(() => readAttributeValue(code, flags, v, ctx));
    if (decoded.ok) {
      attributes.push(decoded.value);
      present.add(code);
      continue;
    }
    if (isMp) {
      // RFC 7606 §7.11 / §5.3: the NLRI cannot be located: session reset.
      failBgp('bgp_update_mp_malformed', decoded.error.offset, `${code === ATTR.mpReach ? 'MP_REACH' : 'MP_UNREACH'}_NLRI: ${decoded.error.message}`, notification(ERROR_CODE.update, UPDATE_SUBCODE.optionalAttributeError, a.buf.subarray(at, v.end)));
    }
    if (decoded.error.code === 'decoder_bug') throw new Error(decoded.error.message);
    const discard = DISCARD_WHEN_MALFORMED.has(code);
    issues.push({
      code: decoded.error.code === 'flowspec_ext_community_invalid' ? 'flowspec_ext_community_invalid' : 'bgp_update_attribute_malformed',
      offset: decoded.error.offset,
      message: `attribute ${code}: ${decoded.error.message}`,
      action: discard ? 'attribute-discard' : 'treat-as-withdraw',
      attributeCode: code,
    });
  }

  const nlri = readNetworkField(nlriReader);
  const hasMp = present.has(ATTR.mpReach) || present.has(ATTR.mpUnreach);
  if (overrun && !hasMp && nlri.length === 0) {
    // RFC 7606 §4/§5.3: treat-as-withdraw needs the NLRI; an MP attribute may have been lost in the overrun.
    attrList(taAt, 'attribute overrun before any MP_REACH/MP_UNREACH_NLRI could be located');
  }
  const announces = nlri.length > 0 || present.has(ATTR.mpReach);
  if (announces) {
    // RFC 7606 §3d: a missing well-known mandatory attribute means treat-as-withdraw.
    const malformedCodes = new Set(issues.map((i) => i.attributeCode));
    const required: number[] = [ATTR.origin, ATTR.asPath, ...(nlri.length > 0 ? [ATTR.nextHop] : [])];
    for (const code of required) {
      if (!present.has(code) && !malformedCodes.has(code)) {
        issues.push({ code: 'bgp_update_missing_well_known', offset: taAt, message: `well-known attribute ${code} is missing`, action: 'treat-as-withdraw', attributeCode: code });
      }
    }
  }
  for (const attr of attributes) {
    if ((attr.code === ATTR.mpReach || attr.code === ATTR.mpUnreach) && 'nlri' in attr && attr.nlri.kind === 'flowspec') {
      for (const item of attr.nlri.items) {
        if (item.error) {
          issues.push({ code: 'bgp_update_nlri_malformed', offset: item.error.offset, message: `${item.error.code}: ${item.error.message}`, action: 'nlri-withdraw', attributeCode: attr.code });
        }
      }
    }
  }
  return { message: { type: 'update', withdrawn, attributes, nlri }, issues };
}

function readNetworkField(r: ByteReader): string[] {
  const result = decodeWith(() => readPrefixList(r, 4, 'bgp_update_network_field'));
  if (result.ok) return result.value;
  const subcode = result.error.code === 'bgp_update_network_field' ? UPDATE_SUBCODE.invalidNetworkField : UPDATE_SUBCODE.malformedAttributeList;
  return failBgp('bgp_update_network_field', result.error.offset, result.error.message, notification(ERROR_CODE.update, subcode));
}

// ---- encoding ---------------------------------------------------------------------------

function writeMpNlri(w: ByteWriter, nlri: MpNlri, ctx: DecodeContext): void {
  switch (nlri.kind) {
    case 'flowspec':
      for (const item of nlri.items) {
        if (item.nlri) w.bytes(withLengthPrefix(encodeFlowspecNlriValue(item.nlri, { ipv6OffsetLayout: ctx.ipv6OffsetLayout ?? 'rfc8956' })));
        else {
          assert(item.hex !== undefined, 'flowspec NLRI item has neither nlri nor hex');
          w.bytes(withLengthPrefix(hexToBytes(item.hex)));
        }
      }
      return;
    case 'prefixes':
      writePrefixList(w, nlri.prefixes);
      return;
    case 'raw':
      w.bytes(hexToBytes(nlri.hex));
      return;
  }
}

function writeSegments(w: ByteWriter, segments: readonly AsPathSegment[], asBytes: 2 | 4): void {
  for (const s of segments) {
    w.u8(SEGMENT_CODES[s.type]).u8(s.asns.length);
    for (const asn of s.asns) {
      if (asBytes === 4) w.u32(asn);
      else w.u16(asn);
    }
  }
}

function writeIpv4(w: ByteWriter, text: string): void {
  const b = parseAddress(text);
  assert(b !== undefined && b.length === 4, `"${text}" is not an IPv4 address`);
  w.bytes(b);
}

/** Encode an attribute value (no header). */
export function encodeAttributeValue(attr: PathAttribute, ctx: DecodeContext): Uint8Array {
  const w = new ByteWriter(32);
  if ('unknown' in attr) {
    w.bytes(hexToBytes(attr.value));
    return w.finish();
  }
  switch (attr.code) {
    case ATTR.origin:
      w.u8(attr.origin === 'igp' ? 0 : attr.origin === 'egp' ? 1 : 2);
      break;
    case ATTR.asPath:
      writeSegments(w, attr.segments, ctx.fourOctetAs ? 4 : 2);
      break;
    case ATTR.as4Path:
      writeSegments(w, attr.segments, 4);
      break;
    case ATTR.nextHop:
      writeIpv4(w, attr.nextHop);
      break;
    case ATTR.med:
      w.u32(attr.med);
      break;
    case ATTR.localPref:
      w.u32(attr.localPref);
      break;
    case ATTR.atomicAggregate:
      break;
    case ATTR.aggregator:
      if (ctx.fourOctetAs) w.u32(attr.asn);
      else w.u16(attr.asn);
      writeIpv4(w, attr.address);
      break;
    case ATTR.as4Aggregator:
      w.u32(attr.asn);
      writeIpv4(w, attr.address);
      break;
    case ATTR.communities:
      for (const c of attr.communities) {
        const [hi, lo] = c.split(':').map(Number);
        w.u16(hi!).u16(lo!);
      }
      break;
    case ATTR.extCommunities:
      for (const c of attr.communities) writeExtCommunity(w, c);
      break;
    case ATTR.mpReach: {
      const nh = nextHopBytes(attr.nextHop);
      w.u16(attr.afi).u8(attr.safi).u8(nh.length).bytes(nh).u8(0);
      writeMpNlri(w, attr.nlri, ctx);
      break;
    }
    case ATTR.mpUnreach:
      w.u16(attr.afi).u8(attr.safi);
      writeMpNlri(w, attr.nlri, ctx);
      break;
  }
  return w.finish();
}

export function writeAttribute(w: ByteWriter, attr: PathAttribute, ctx: DecodeContext): void {
  const value = encodeAttributeValue(attr, ctx);
  const extended = value.length > 255 || (attr.flags & ATTR_FLAG.extendedLength) !== 0;
  w.u8(extended ? attr.flags | ATTR_FLAG.extendedLength : attr.flags).u8(attr.code);
  if (extended) w.u16(value.length);
  else w.u8(value.length);
  w.bytes(value);
}

export function writeUpdate(w: ByteWriter, m: UpdateMessage, ctx: DecodeContext): void {
  const wdAt = w.reserve(2);
  writePrefixList(w, m.withdrawn);
  w.setU16(wdAt, w.length - wdAt - 2);
  const taAt = w.reserve(2);
  for (const attr of m.attributes) writeAttribute(w, attr, ctx);
  w.setU16(taAt, w.length - taAt - 2);
  writePrefixList(w, m.nlri);
}

