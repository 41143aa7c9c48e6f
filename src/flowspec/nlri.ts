// Flow Specification NLRI wire form (RFC 8955 §4, RFC 8956 §3): encode and decode.
//
//  +-------------------------------+
//  |    length (0xnn or 0xfnnn)    |   1 byte below 240, else 2 bytes with the top nibble 0xf
//  +-------------------------------+
//  |    NLRI value   (variable)    |   components in strictly increasing type order
//  +-------------------------------+
//
// The wire form keeps operators exactly as received so a vector re-encodes byte for byte;
// rule-codec.ts converts it to and from the canonical MitigationRule.
import type { RuleFamily } from '../rules/model.js';
import { ByteReader, decodeWith } from '../lib/byte-reader.js';
import { ByteWriter, bytesToHex } from '../lib/byte-writer.js';
import { bitAt, formatPrefix, parsePrefix } from '../lib/prefix.js';
import { assert } from '../lib/assert.js';
import type { Result } from '../lib/result.js';
import { type BitmaskWireTerm, readBitmaskTerms, writeBitmaskTerms } from './bitmask-operators.js';
import { findComponent } from './components.js';
import { parseIpv4Cidr } from './ipv4-cidr.js';
import { type NumericTerm, readNumericTerms, writeNumericTerms } from './numeric-operators.js';

/** Largest NLRI value length the 12-bit extended length can say (RFC 8955 §4.1). */
export const MAX_NLRI_VALUE_LENGTH = 0xfff;

export type PrefixComponentType = 1 | 2;
export type NumericComponentType = 3 | 4 | 5 | 6 | 7 | 8 | 10 | 11 | 13;
export type BitmaskComponentType = 9 | 12;

export type FlowspecComponent =
  /** Destination (1) / source (2) prefix. IPv6 carries bits offset..length-1 (RFC 8956 §3.1); the text has them in place, bits before the offset zero. */
  | { readonly type: PrefixComponentType; readonly prefix: string; readonly offset: number }
  | { readonly type: NumericComponentType; readonly terms: readonly NumericTerm[] }
  | { readonly type: BitmaskComponentType; readonly bitmask: readonly BitmaskWireTerm[] };

export interface FlowspecNlri {
  readonly family: RuleFamily;
  readonly components: readonly FlowspecComponent[];
}

/**
 * How an IPv6 prefix with a non-zero offset is laid out. RFC 8956 §3.1 sends only the pattern
 * bits offset..length-1. GoBGP 3.10, ExaBGP 4.2 and Wireshark 4.0 use the pre-RFC draft layout:
 * the whole prefix (length/8 bytes). With offset 0 both layouts are the same bytes.
 */
export type Ipv6OffsetLayout = 'rfc8956' | 'full-prefix';

export interface FlowspecCodecOptions {
  readonly ipv6OffsetLayout?: Ipv6OffsetLayout;
}

function isPrefix(c: FlowspecComponent): c is Extract<FlowspecComponent, { prefix: string }> {
  return 'prefix' in c;
}

function writePrefixComponent(w: ByteWriter, family: RuleFamily, prefixText: string, offset: number, layout: Ipv6OffsetLayout): void {
  const fast = family === 'ipv4' ? parseIpv4Cidr(prefixText) : undefined;
  if (fast) {
    w.u8(fast.length);
    for (let i = 0; i < Math.ceil(fast.length / 8); i++) w.u8(fast.bytes[i]!);
    return;
  }
  const parsed = parsePrefix(prefixText, { allowHostBits: true });
  assert(parsed.ok, `flowspec prefix "${prefixText}" is not CIDR`);
  const p = parsed.value;
  assert((family === 'ipv4') === (p.family === 4), `flowspec prefix "${prefixText}" is not ${family}`);
  w.u8(p.length);
  if (family === 'ipv4') {
    w.bytes(p.bytes.subarray(0, Math.ceil(p.length / 8)));
    return;
  }
  // RFC 8956 §3.1: <length, offset, pattern, padding>: pattern holds bits offset..length-1.
  assert(offset <= p.length, `offset ${offset} beyond prefix length ${p.length}`);
  w.u8(offset);
  if (layout === 'full-prefix') {
    w.bytes(p.bytes.subarray(0, Math.ceil(p.length / 8)));
    return;
  }
  const bits = p.length - offset;
  const pattern = new Uint8Array(Math.ceil(bits / 8));
  for (let i = 0; i < bits; i++) if (bitAt(p.bytes, offset + i)) pattern[i >> 3]! |= 0x80 >> (i & 7);
  w.bytes(pattern);
}

/** The NLRI value (components only, no length prefix). */
export function encodeFlowspecNlriValue(nlri: FlowspecNlri, opts: FlowspecCodecOptions = {}): Uint8Array {
  const w = new ByteWriter(64);
  for (const c of nlri.components) {
    w.u8(c.type);
    if (isPrefix(c)) writePrefixComponent(w, nlri.family, c.prefix, c.offset, opts.ipv6OffsetLayout ?? 'rfc8956');
    else if ('terms' in c) writeNumericTerms(w, c.terms);
    else writeBitmaskTerms(w, c.bitmask);
  }
  return w.finish();
}

export function writeNlriLength(w: ByteWriter, length: number): void {
  assert(length <= MAX_NLRI_VALUE_LENGTH, `flowspec NLRI value of ${length} bytes exceeds ${MAX_NLRI_VALUE_LENGTH}`);
  if (length < 240) w.u8(length);
  else w.u16(0xf000 | length);
}

/** Length prefix + value, as carried in MP_REACH_NLRI / MP_UNREACH_NLRI. */
export function encodeFlowspecNlri(nlri: FlowspecNlri, opts: FlowspecCodecOptions = {}): Uint8Array {
  return withLengthPrefix(encodeFlowspecNlriValue(nlri, opts));
}

export function withLengthPrefix(value: Uint8Array): Uint8Array {
  const w = new ByteWriter(value.length + 2);
  writeNlriLength(w, value.length);
  w.bytes(value);
  return w.finish();
}

/** A stable key for one NLRI: the hex of its value bytes. */
export function flowspecNlriKey(nlri: FlowspecNlri): string {
  return bytesToHex(encodeFlowspecNlriValue(nlri));
}

function readPrefixComponent(r: ByteReader, family: RuleFamily, layout: Ipv6OffsetLayout): { prefix: string; offset: number } {
  const at = r.offset;
  const length = r.u8('prefix length');
  const max = family === 'ipv4' ? 32 : 128;
  if (length > max) r.fail('flowspec_prefix_length', `prefix length ${length} beyond ${max}`, at);
  const bytes = new Uint8Array(max / 8);
  let offset = 0;
  if (family === 'ipv4') {
    bytes.set(r.bytes(Math.ceil(length / 8), 'prefix'));
  } else {
    offset = r.u8('prefix offset');
    if (offset > length) r.fail('flowspec_prefix_offset', `prefix offset ${offset} beyond length ${length}`, at + 1);
    if (layout === 'full-prefix') {
      bytes.set(r.bytes(Math.ceil(length / 8), 'prefix'));
      // Bits before the offset are not matched; keep them zero as in the RFC layout.
      for (let i = 0; i < offset; i++) bytes[i >> 3]! &= ~(0x80 >> (i & 7));
      for (let i = length; i < max; i++) bytes[i >> 3]! &= ~(0x80 >> (i & 7));
      return { prefix: formatPrefix({ family: 6, bytes, length }), offset };
    }
    const bits = length - offset;
    const pattern = r.bytes(Math.ceil(bits / 8), 'prefix pattern');
    for (let i = 0; i < bits; i++) if (bitAt(pattern, i)) bytes[(offset + i) >> 3]! |= 0x80 >> ((offset + i) & 7);
  }
  // Bits beyond the length (padding) are ignored.
  for (let i = length; i < max; i++) bytes[i >> 3]! &= ~(0x80 >> (i & 7));
  return { prefix: formatPrefix({ family: family === 'ipv4' ? 4 : 6, bytes, length }), offset };
}

/** Decode one NLRI value (the bytes after the length prefix). Throws DecodeFailure; see decodeFlowspecNlriValue. */
export function readFlowspecNlriValue(r: ByteReader, family: RuleFamily, opts: FlowspecCodecOptions = {}): FlowspecNlri {
  const layout = opts.ipv6OffsetLayout ?? 'rfc8956';
  if (r.atEnd()) r.fail('flowspec_nlri_empty', 'flowspec NLRI has no components');
  const components: FlowspecComponent[] = [];
  let previous = 0;
  while (!r.atEnd()) {
    const at = r.offset;
    const type = r.u8('component type');
    const info = findComponent(type, family);
    if (!info) r.fail('flowspec_component_unknown', `component type ${type} is unknown for ${family}`, at);
    if (type <= previous) r.fail('flowspec_component_order', `component type ${type} follows type ${previous}`, at);
    previous = type;
    if (info.kind === 'prefix') components.push({ type: type as PrefixComponentType, ...readPrefixComponent(r, family, layout) });
    else if (info.kind === 'numeric') components.push({ type: type as NumericComponentType, terms: readNumericTerms(r) });
    else components.push({ type: type as BitmaskComponentType, bitmask: readBitmaskTerms(r) });
  }
  return { family, components };
}

export function decodeFlowspecNlriValue(bytes: Uint8Array, family: RuleFamily, opts: FlowspecCodecOptions = {}): Result<FlowspecNlri> {
  return decodeWith(() => readFlowspecNlriValue(new ByteReader(bytes), family, opts));
}

/** One NLRI read from a list: its raw value bytes and either the decoded NLRI or why it is malformed. */
export interface FlowspecNlriEntry {
  /** Offset of the length prefix in the enclosing buffer. */
  readonly offset: number;
  readonly value: Uint8Array;
  readonly result: Result<FlowspecNlri>;
}

/**
 * Split a list of length-prefixed NLRI (the NLRI field of MP_REACH/MP_UNREACH). A length that
 * overruns the list throws DecodeFailure (the list cannot be delimited); a malformed value is
 * returned as that entry's error so the caller can treat just that NLRI as withdrawn.
 */
export function readFlowspecNlriList(r: ByteReader, family: RuleFamily, opts: FlowspecCodecOptions = {}): FlowspecNlriEntry[] {
  const out: FlowspecNlriEntry[] = [];
  while (!r.atEnd()) {
    const offset = r.offset;
    const first = r.u8('NLRI length');
    const length = (first & 0xf0) === 0xf0 ? ((first & 0x0f) << 8) | r.u8('NLRI length') : first;
    const sub = r.sub(length, 'flowspec NLRI');
    const value = sub.buf.subarray(sub.start, sub.end);
    out.push({ offset, value, result: decodeWith(() => readFlowspecNlriValue(sub, family, opts)) });
  }
  return out;
}

