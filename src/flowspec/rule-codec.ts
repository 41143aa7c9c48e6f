// MitigationRule <-> Flowspec route (NLRI + traffic filtering action extended communities).
// Encoding is canonical (component order, interval terms, smallest value lengths); decoding
// accepts any operator chain and evaluates it into the model's interval unions.
import { createHash } from 'node:crypto';
import type { BitmaskMatch, MitigationRule, NumericRange, RuleAction, RuleFamily, RuleMatch } from '../rules/model.js';
import { parsePrefix } from '../lib/prefix.js';
import { type Result, err, ok } from '../lib/result.js';
import { bitmaskTermsToMatch, checkBitmaskMatch, matchToBitmaskTerms } from './bitmask-operators.js';
import { COMPONENTS } from './components.js';
import { type FlowspecExtCommunity, parseRedirectTarget } from './ext-communities.js';
import { type FlowspecCodecOptions, type FlowspecComponent, type FlowspecNlri, MAX_NLRI_VALUE_LENGTH, encodeFlowspecNlriValue, type NumericComponentType, type BitmaskComponentType } from './nlri.js';
import { checkRanges, encodeRangesAsTerms, evaluateNumericTerms } from './numeric-operators.js';
import { parseIpv4Cidr } from './ipv4-cidr.js';
import { bytesToHex } from '../lib/byte-writer.js';

/** What travels in BGP for one rule. */
export interface FlowspecRoute {
  readonly nlri: FlowspecNlri;
  readonly communities: readonly FlowspecExtCommunity[];
  /** The NLRI value bytes (no length prefix), when the encoder already produced them. */
  readonly value?: Uint8Array;
}

/** Why a rule cannot be put on the wire (codes in FLOWSPEC_CODES). */
export interface FlowspecEncodeError {
  readonly code: string;
  /** Field of the rule, e.g. "match.packetLengths" or "action". */
  readonly path: string;
  readonly message: string;
}

export interface RuleToFlowspecOptions extends FlowspecCodecOptions {
  /** The 2-byte ID carried in traffic-rate communities (RFC 8955 §7.1: the originating AS, or 0). */
  readonly rateAsn?: number;
}

const F32_MAX = 3.4028234663852886e38;

function fail(code: string, path: string, message: string): { ok: false; error: FlowspecEncodeError } {
  return err({ code, path, message });
}

function encodeAction(action: RuleAction, rateAsn: number): Result<FlowspecExtCommunity[], FlowspecEncodeError> {
  const rateOk = (v: number): boolean => Number.isFinite(v) && v >= 0 && v <= F32_MAX;
  switch (action.kind) {
    case 'accept':
      return ok([]);
    case 'discard':
      // RFC 8955 §7.1: a traffic-rate of 0 discards all traffic for the flow.
      return ok([{ kind: 'traffic-rate-bytes', asn: rateAsn, bytesPerSec: 0 }]);
    case 'rate-limit-bytes':
      if (!rateOk(action.bytesPerSec)) return fail('flowspec_action_invalid', 'action.bytesPerSec', `rate ${action.bytesPerSec} bytes/s is not a finite non-negative float32`);
      return ok([{ kind: 'traffic-rate-bytes', asn: rateAsn, bytesPerSec: Math.fround(action.bytesPerSec) }]);
    case 'rate-limit-packets':
      if (!rateOk(action.packetsPerSec)) return fail('flowspec_action_invalid', 'action.packetsPerSec', `rate ${action.packetsPerSec} packets/s is not a finite non-negative float32`);
      return ok([{ kind: 'traffic-rate-packets', asn: rateAsn, packetsPerSec: Math.fround(action.packetsPerSec) }]);
    case 'redirect': {
      const c = parseRedirectTarget(action.target);
      if (!c) return fail('flowspec_redirect_target_invalid', 'action.target', `redirect target "${action.target}" is not ASN:NN or IPv4:NN within the field widths`);
      return ok([c]);
    }
    case 'mark-dscp':
      if (!Number.isInteger(action.dscp) || action.dscp < 0 || action.dscp > 63) return fail('flowspec_action_invalid', 'action.dscp', `DSCP ${action.dscp} is not an integer in 0..63`);
      return ok([{ kind: 'traffic-marking', dscp: action.dscp }]);
  }
}

function encodePrefix(family: RuleFamily, text: string, offset: number | undefined, path: string): Result<{ prefix: string; offset: number }, FlowspecEncodeError> {
  if (family === 'ipv4' && (offset ?? 0) === 0 && parseIpv4Cidr(text)) return ok({ prefix: text, offset: 0 });
  const parsed = parsePrefix(text);
  if (!parsed.ok) return fail('flowspec_prefix_invalid', path, parsed.error.message);
  const want = family === 'ipv4' ? 4 : 6;
  if (parsed.value.family !== want) return fail('flowspec_family_mismatch', path, `prefix "${text}" is IPv${parsed.value.family} in an ${family} rule`);
  const off = offset ?? 0;
  if (off !== 0 && family === 'ipv4') return fail('flowspec_family_mismatch', `${path}Offset`, 'prefix offsets exist only for IPv6 (RFC 8956 §3.1)');
  if (!Number.isInteger(off) || off < 0 || off > parsed.value.length) return fail('flowspec_prefix_offset', `${path}Offset`, `offset ${off} is not an integer in 0..${parsed.value.length}`);
  return ok({ prefix: text, offset: off });
}

/** Encode a rule's match and action. Every problem is reported with the rule field it concerns. */
export function ruleToFlowspec(rule: MitigationRule, opts: RuleToFlowspecOptions = {}): Result<FlowspecRoute, FlowspecEncodeError> {
  const family = rule.family;
  const components: FlowspecComponent[] = [];
  const match = rule.match as Record<string, unknown>;
  for (const info of COMPONENTS) {
    const value = match[info.matchKey];
    if (value === undefined) continue;
    const path = `match.${info.matchKey}`;
    if (!info.families.includes(family)) return fail('flowspec_family_mismatch', path, `${info.matchKey} exists only for ${info.families.join('/')}`);
    if (info.kind === 'prefix') {
      const offsetKey = info.type === 1 ? 'destinationOffset' : 'sourceOffset';
      const p = encodePrefix(family, String(value), match[offsetKey] as number | undefined, path);
      if (!p.ok) return p;
      components.push({ type: info.type as 1 | 2, ...p.value });
    } else if (info.kind === 'numeric') {
      const ranges = value as readonly NumericRange[];
      const problem = checkRanges(ranges);
      if (problem) return fail('flowspec_range_invalid', `${path}[${problem.index}]`, problem.message);
      components.push({ type: info.type as NumericComponentType, terms: encodeRangesAsTerms(ranges, info.fieldMax) });
    } else {
      const bm = value as BitmaskMatch;
      const problem = checkBitmaskMatch(bm);
      if (problem) return fail('flowspec_bitmask_invalid', path, problem);
      components.push({ type: info.type as BitmaskComponentType, bitmask: matchToBitmaskTerms(bm) });
    }
  }
  for (const key of ['destinationOffset', 'sourceOffset'] as const) {
    const prefixKey = key === 'destinationOffset' ? 'destination' : 'source';
    if (rule.match[key] !== undefined && rule.match[prefixKey] === undefined && rule.match[key] !== 0) {
      return fail('flowspec_prefix_offset', `match.${key}`, `${key} without a ${prefixKey} prefix`);
    }
  }
  if (components.length === 0) return fail('flowspec_nlri_empty', 'match', 'a Flowspec rule needs at least one match component (RFC 8955 §4.2)');
  const nlri: FlowspecNlri = { family, components };
  const value = encodeFlowspecNlriValue(nlri, opts);
  if (value.length > MAX_NLRI_VALUE_LENGTH) return fail('flowspec_nlri_too_long', 'match', `encoded NLRI is ${value.length} bytes, more than ${MAX_NLRI_VALUE_LENGTH}`);
  const communities = encodeAction(rule.action, opts.rateAsn ?? 0);
  if (!communities.ok) return communities;
  const list = [...communities.value];
  const terminal = rule.terminal ?? true;
  if (rule.sample === true || !terminal) list.push({ kind: 'traffic-action', sample: rule.sample === true, terminal });
  return ok({ nlri, communities: list, value });
}

/** Stable rule id for a received NLRI: "fs-" + 16 hex digits of SHA-256 over its value bytes. */
export function ruleIdForNlri(nlri: FlowspecNlri): string {
  return `fs-${createHash('sha256').update(nlri.family).update(encodeFlowspecNlriValue(nlri)).digest('hex').slice(0, 16)}`;
}

/** The model's match for a decoded NLRI (numeric chains evaluated to canonical interval unions). */
export function nlriToMatch(nlri: FlowspecNlri): RuleMatch {
  const match: Record<string, unknown> = {};
  for (const c of nlri.components) {
    const info = COMPONENTS.find((i) => i.type === c.type)!;
    if ('prefix' in c) {
      match[info.matchKey] = c.prefix;
      if (c.offset !== 0) match[c.type === 1 ? 'destinationOffset' : 'sourceOffset'] = c.offset;
    } else if ('terms' in c) {
      match[info.matchKey] = evaluateNumericTerms(c.terms, info.fieldMax);
    } else {
      match[info.matchKey] = bitmaskTermsToMatch(c.bitmask);
    }
  }
  return match as RuleMatch;
}

/** Rank of an action community when several are present: the most restrictive wins the rule's one action. */
function actionOf(c: FlowspecExtCommunity): { rank: number; action: RuleAction } | undefined {
  switch (c.kind) {
    case 'traffic-rate-bytes':
      return c.bytesPerSec === 0 ? { rank: 0, action: { kind: 'discard' } } : { rank: 1, action: { kind: 'rate-limit-bytes', bytesPerSec: c.bytesPerSec } };
    case 'traffic-rate-packets':
      return c.packetsPerSec === 0 ? { rank: 0, action: { kind: 'discard' } } : { rank: 1, action: { kind: 'rate-limit-packets', packetsPerSec: c.packetsPerSec } };
    case 'redirect':
      return { rank: 2, action: { kind: 'redirect', target: c.target } };
    case 'traffic-marking':
      return { rank: 3, action: { kind: 'mark-dscp', dscp: c.dscp } };
    case 'traffic-action':
    case 'other':
      return undefined;
  }
}

export interface DecodedFlowspecRule {
  readonly rule: MitigationRule;
  /** Action communities the rule's single action could not hold (e.g. a marking next to a rate). */
  readonly unrepresented: readonly FlowspecExtCommunity[];
}

/** Turn a received route into a MitigationRule (global scope; the caller fills provenance). */
export function flowspecToRule(route: FlowspecRoute, opts: { id?: string } = {}): DecodedFlowspecRule {
  let best: { rank: number; action: RuleAction; community: FlowspecExtCommunity } | undefined;
  const unrepresented: FlowspecExtCommunity[] = [];
  let sample: boolean | undefined;
  let terminal: boolean | undefined;
  for (const c of route.communities) {
    if (c.kind === 'traffic-action') {
      sample = c.sample;
      terminal = c.terminal;
      continue;
    }
    const a = actionOf(c);
    if (!a) continue;
    if (!best || a.rank < best.rank) {
      if (best) unrepresented.push(best.community);
      best = { ...a, community: c };
    } else unrepresented.push(c);
  }
  const rule: MitigationRule = {
    id: opts.id ?? ruleIdForNlri(route.nlri),
    family: route.nlri.family,
    match: nlriToMatch(route.nlri),
    action: best?.action ?? { kind: 'accept' },
    ...(sample ? { sample } : {}),
    ...(terminal === false ? { terminal } : {}),
    scope: { kind: 'global' },
    provenance: {},
  };
  return { rule, unrepresented };
}

/** Hex of the NLRI value, for display and keys. */
export function nlriHex(nlri: FlowspecNlri): string {
  return bytesToHex(encodeFlowspecNlriValue(nlri));
}
