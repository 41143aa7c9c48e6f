// Junos flow routes: `routing-options { flow { route NAME { match {...} then {...} } } }`, with
// IPv6 rules under `rib inet6.0 { flow { ... } }`. Values are written as given (Junos accepted
// the 2013 packet-length 99971 list, which is exactly why the validator exists); only what the
// syntax cannot say at all (pps rates, flag shapes fragment keywords cannot express) is a finding.
import type { BitmaskMatch, Finding, MitigationRule, NumericRange } from '../model.js';
import { FRAGMENT_PREFERRED, TCP_FLAG_PREFERRED, formatBitmaskExpression } from '../parse/bitmask.js';
import { FRAGMENT_NAMES, PROTOCOL_NAME_BY_NUMBER, TCP_FLAG_NAMES } from '../parse/names.js';
import { classifyRedirectTarget } from '../parse/rule-parts.js';
import { type RenderResult, formatRange, hasError, renderFinding } from './common.js';

const INDENT = '    ';

function quoteName(id: string): string {
  return /^[A-Za-z0-9._/:-]+$/.test(id) ? id : `"${id.replace(/["\\]/g, '\\$&')}"`;
}

function valueList(items: readonly string[]): string {
  return items.length === 1 ? items[0]! : `[ ${items.join(' ')} ]`;
}

function rangesText(ranges: readonly NumericRange[]): string {
  return valueList(ranges.map(formatRange));
}

function protocolText(ranges: readonly NumericRange[]): string {
  return valueList(ranges.map((r) => (r.min === r.max ? (PROTOCOL_NAME_BY_NUMBER[r.min] ?? String(r.min)) : formatRange(r))));
}

/** Junos fragment keywords: each clause must be one keyword (a single bit set, or not-a-fragment). */
function fragmentKeywords(match: BitmaskMatch): string[] | undefined {
  const out: string[] = [];
  for (const clause of match) {
    const [t, extra] = clause;
    if (!t || extra) return undefined;
    if (t.op === 'none' && t.bits === 0x02) {
      out.push('not-a-fragment');
      continue;
    }
    const name = { 1: 'dont-fragment', 2: 'is-fragment', 4: 'first-fragment', 8: 'last-fragment' }[t.bits];
    if (t.op !== 'all' || !name) return undefined;
    out.push(name);
  }
  return out;
}

function renderRoute(rule: MitigationRule, findings: Finding[]): string[] | undefined {
  const local: Finding[] = [];
  const m = rule.match;
  const v6 = rule.family === 'ipv6';
  const match: string[] = [];
  // RFC 8956 prefix offset: `destination PREFIX prefix-offset N;` (also the `set` form).
  const prefixLine = (kw: string, cidr: string, offset: number | undefined): string => (offset ? `${kw} ${cidr} prefix-offset ${offset};` : `${kw} ${cidr};`);
  if (m.destination) match.push(prefixLine('destination', m.destination, m.destinationOffset));
  if (m.source) match.push(prefixLine('source', m.source, m.sourceOffset));
  if (m.protocols) match.push(`protocol ${protocolText(m.protocols)};`);
  if (m.ports) match.push(`port ${rangesText(m.ports)};`);
  if (m.destinationPorts) match.push(`destination-port ${rangesText(m.destinationPorts)};`);
  if (m.sourcePorts) match.push(`source-port ${rangesText(m.sourcePorts)};`);
  if (m.icmpTypes) match.push(`${v6 ? 'icmp6-type' : 'icmp-type'} ${rangesText(m.icmpTypes)};`);
  if (m.icmpCodes) match.push(`${v6 ? 'icmp6-code' : 'icmp-code'} ${rangesText(m.icmpCodes)};`);
  if (m.tcpFlags) match.push(`tcp-flags "${formatBitmaskExpression(m.tcpFlags, TCP_FLAG_NAMES, TCP_FLAG_PREFERRED)}";`);
  if (m.packetLengths) match.push(`packet-length ${rangesText(m.packetLengths)};`);
  if (m.dscp) match.push(`dscp ${rangesText(m.dscp)};`);
  if (m.fragment) {
    const kws = fragmentKeywords(m.fragment);
    if (kws) match.push(`fragment ${valueList(kws)};`);
    else {
      local.push(
        renderFinding('render_component_unsupported', rule, 'match.fragment', `junos fragment takes keywords (dont-fragment, is-fragment, first-fragment, last-fragment, not-a-fragment) OR'ed; ${formatBitmaskExpression(m.fragment, FRAGMENT_NAMES, FRAGMENT_PREFERRED)} is not one of those shapes; rule left out`),
      );
    }
  }
  if (m.flowLabel) {
    if (v6) match.push(`flow-label ${rangesText(m.flowLabel)};`);
    else local.push(renderFinding('render_component_unsupported', rule, 'match.flowLabel', 'flow label exists only for IPv6 flow routes; rule left out'));
  }

  const then: string[] = [];
  const a = rule.action;
  switch (a.kind) {
    case 'accept':
    case 'discard':
      then.push(`${a.kind};`);
      break;
    case 'rate-limit-bytes': {
      // Junos rate-limit is bits per second; the traffic-rate community carries bytes per second.
      const bps = a.bytesPerSec * 8;
      if (!Number.isSafeInteger(bps)) local.push(renderFinding('render_value_unsupported', rule, 'action', `junos rate-limit takes whole bits per second; ${a.bytesPerSec} bytes/s is ${bps} bit/s; rule left out`));
      else then.push(`rate-limit ${bps};`);
      break;
    }
    case 'rate-limit-packets':
      local.push(renderFinding('render_action_unsupported', rule, 'action', 'junos flow routes have no packets-per-second rate limit (traffic-rate-packets); rule left out'));
      break;
    case 'redirect': {
      const t = classifyRedirectTarget(a.target);
      if (!t) local.push(renderFinding('render_action_unsupported', rule, 'action', `redirect target "${a.target}" is not ASN:NN, IPv4:NN or an address; rule left out`));
      else if (t.kind === 'ip') then.push(`redirect ${t.address};`);
      // Junos writes a 4-byte AS in a community with an L suffix: target:4200000001L:66.
      else if (t.kind === 'as4') then.push(`routing-instance target:${t.asn}L:${t.value};`);
      else then.push(`routing-instance target:${a.target};`);
      break;
    }
    case 'mark-dscp':
      then.push(`mark ${a.dscp};`);
      break;
  }
  if (rule.sample) then.push('sample;');
  if (rule.terminal === false) then.push('next-term;');

  findings.push(...local);
  if (hasError(local)) return undefined;
  const lines = [`route ${quoteName(rule.id)} {`, `${INDENT}match {`];
  for (const stmt of match) for (const l of stmt.split('\n')) lines.push(`${INDENT}${INDENT}${l}`);
  lines.push(`${INDENT}}`);
  if (then.length === 1) lines.push(`${INDENT}then ${then[0]}`);
  else lines.push(`${INDENT}then {`, ...then.map((t) => `${INDENT}${INDENT}${t}`), `${INDENT}}`);
  lines.push('}');
  return lines;
}

function indent(lines: readonly string[], depth: number): string[] {
  return lines.map((l) => `${INDENT.repeat(depth)}${l}`);
}

export function renderJunos(rules: readonly MitigationRule[]): RenderResult {
  const findings: Finding[] = [];
  const v4: string[] = [];
  const v6: string[] = [];
  for (const rule of rules) {
    const lines = renderRoute(rule, findings);
    if (lines) (rule.family === 'ipv6' ? v6 : v4).push(...lines);
  }
  const out: string[] = ['routing-options {'];
  if (v4.length > 0) out.push(`${INDENT}flow {`, ...indent(v4, 2), `${INDENT}}`);
  if (v6.length > 0) out.push(`${INDENT}rib inet6.0 {`, `${INDENT}${INDENT}flow {`, ...indent(v6, 3), `${INDENT}${INDENT}}`, `${INDENT}}`);
  out.push('}');
  return { text: `${out.join('\n')}\n`, findings };
}
