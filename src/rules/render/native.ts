// The native YAML form of rules (what `failsmall rule import` prints). parseNativeRules reads
// it back to the same MitigationRule: numeric components as numbers / "a-b" strings, flag
// matches as expressions, rates in bits per second (bytes/s x 8, exact in binary floating point).
import { stringify } from 'yaml';
import type { BitmaskMatch, MitigationRule, NumericRange, RuleAction, RuleScope } from '../model.js';
import { FRAGMENT_PREFERRED, TCP_FLAG_PREFERRED, formatBitmaskClause } from '../parse/bitmask.js';
import { FRAGMENT_NAMES, PROTOCOL_NAME_BY_NUMBER, TCP_FLAG_NAMES } from '../parse/names.js';
import type { RenderResult } from './common.js';

function numericValue(ranges: readonly NumericRange[], names?: Readonly<Record<number, string>>): unknown {
  const items = ranges.map((r) => (r.min === r.max ? (names?.[r.min] ?? r.min) : `${r.min}-${r.max}`));
  return items.length === 1 ? items[0] : items;
}

function bitmaskValue(match: BitmaskMatch, names: Readonly<Record<string, number>>, preferred: readonly string[]): unknown {
  const clauses = match.map((c) => formatBitmaskClause(c, names, preferred));
  return clauses.length === 1 ? clauses[0] : clauses;
}

function actionValue(a: RuleAction): unknown {
  switch (a.kind) {
    case 'accept':
    case 'discard':
      return a.kind;
    case 'rate-limit-bytes':
      return { 'rate-limit-bps': a.bytesPerSec * 8 };
    case 'rate-limit-packets':
      return { 'rate-limit-pps': a.packetsPerSec };
    case 'redirect':
      return { redirect: a.target };
    case 'mark-dscp':
      return { 'mark-dscp': a.dscp };
  }
}

function scopeValue(s: RuleScope): unknown {
  switch (s.kind) {
    case 'global':
      return 'global';
    case 'pops':
      return { pops: [...s.pops] };
    case 'regions':
      return { regions: [...s.regions] };
  }
}

/** One rule as a plain object in the native file's vocabulary. */
export function toNativeObject(rule: MitigationRule): Record<string, unknown> {
  const m = rule.match;
  const match: Record<string, unknown> = {};
  if (m.destination !== undefined) match.destination = m.destination;
  if (m.destinationOffset !== undefined) match['destination-offset'] = m.destinationOffset;
  if (m.source !== undefined) match.source = m.source;
  if (m.sourceOffset !== undefined) match['source-offset'] = m.sourceOffset;
  if (m.protocols) match.protocol = numericValue(m.protocols, PROTOCOL_NAME_BY_NUMBER);
  if (m.ports) match.port = numericValue(m.ports);
  if (m.destinationPorts) match['destination-port'] = numericValue(m.destinationPorts);
  if (m.sourcePorts) match['source-port'] = numericValue(m.sourcePorts);
  if (m.icmpTypes) match['icmp-type'] = numericValue(m.icmpTypes);
  if (m.icmpCodes) match['icmp-code'] = numericValue(m.icmpCodes);
  if (m.tcpFlags) match['tcp-flags'] = bitmaskValue(m.tcpFlags, TCP_FLAG_NAMES, TCP_FLAG_PREFERRED);
  if (m.packetLengths) match['packet-length'] = numericValue(m.packetLengths);
  if (m.dscp) match.dscp = numericValue(m.dscp);
  if (m.fragment) match.fragment = bitmaskValue(m.fragment, FRAGMENT_NAMES, FRAGMENT_PREFERRED);
  if (m.flowLabel) match['flow-label'] = numericValue(m.flowLabel);

  const p = rule.provenance;
  const provenance: Record<string, unknown> = {};
  if (p.author !== undefined) provenance.author = p.author;
  if (p.reason !== undefined) provenance.reason = p.reason;
  if (p.attackId !== undefined) provenance['attack-id'] = p.attackId;
  if (p.signatureId !== undefined) provenance['signature-id'] = p.signatureId;
  if (p.origin !== undefined) provenance.origin = p.origin;

  return {
    id: rule.id,
    family: rule.family,
    match,
    action: actionValue(rule.action),
    ...(rule.sample !== undefined ? { sample: rule.sample } : {}),
    ...(rule.terminal !== undefined ? { terminal: rule.terminal } : {}),
    scope: scopeValue(rule.scope),
    ...(rule.expiresAt !== undefined ? { expires: rule.expiresAt } : {}),
    ...(Object.keys(provenance).length > 0 ? { provenance } : {}),
    ...(rule.approvedBy !== undefined ? { 'approved-by': rule.approvedBy } : {}),
  };
}

export function renderNative(rules: readonly MitigationRule[]): RenderResult {
  const text = stringify({ rules: rules.map(toNativeObject) }, { lineWidth: 0 });
  return { text, findings: [] };
}
