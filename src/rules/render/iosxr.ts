// Cisco IOS-XR local Flowspec origination: one `class-map type traffic match-all` per rule, a
// `policy-map type pbr` per family that binds each class to its action, and the `flowspec`
// address-family stanzas that advertise them. IOS-XR has no "port" (type 4), flow-label or
// prefix-offset match, takes a single ICMP type/code, one TCP-flags value/mask pair and single
// fragment types; anything else is a finding and the rule is left out rather than widened.
import type { BitmaskMatch, Finding, MitigationRule, NumericRange } from '../model.js';
import { FRAGMENT_PREFERRED, formatBitmaskExpression } from '../parse/bitmask.js';
import { FRAGMENT_NAMES } from '../parse/names.js';
import { classifyRedirectTarget } from '../parse/rule-parts.js';
import { type RenderOptions, type RenderResult, checkFieldWidths, formatRange, hasError, hex, renderFinding, sanitiseName } from './common.js';

function rangesText(ranges: readonly NumericRange[]): string {
  return ranges.map(formatRange).join(' ');
}

/** IOS-XR `match tcp-flag VALUE bit-mask MASK`: one clause of all/none terms only. */
function tcpFlagValueMask(match: BitmaskMatch): { value: number; mask: number } | undefined {
  if (match.length !== 1) return undefined;
  let value = 0;
  let mask = 0;
  for (const t of match[0]!) {
    if (t.op === 'all') {
      value |= t.bits;
      mask |= t.bits;
    } else if (t.op === 'none') {
      mask |= t.bits;
    } else {
      return undefined;
    }
  }
  return { value, mask };
}

const FRAGMENT_TYPE: Readonly<Record<number, string>> = { 1: 'dont-fragment', 2: 'is-fragment', 4: 'first-fragment', 8: 'last-fragment' };

function fragmentType(match: BitmaskMatch): string | undefined {
  const [t, extra] = match.length === 1 ? match[0]! : [];
  if (!t || extra || t.op !== 'all') return undefined;
  return FRAGMENT_TYPE[t.bits];
}

interface RenderedClass {
  readonly className: string;
  readonly ruleId: string;
  readonly matchLines: string[];
  readonly actionLines: string[];
}

function renderClass(rule: MitigationRule, className: string, findings: Finding[]): RenderedClass | undefined {
  const local: Finding[] = [...checkFieldWidths(rule, 'iosxr')];
  const m = rule.match;
  const af = rule.family === 'ipv6' ? 'ipv6' : 'ipv4';
  const unsupported = (component: string, why: string): void => {
    local.push(renderFinding('render_component_unsupported', rule, component, `iosxr ${why}; rule left out`));
  };
  const lines: string[] = [];
  if (m.destination) lines.push(`match destination-address ${af} ${m.destination}`);
  if (m.source) lines.push(`match source-address ${af} ${m.source}`);
  if (m.destinationOffset) unsupported('match.destinationOffset', 'has no prefix-offset match');
  if (m.sourceOffset) unsupported('match.sourceOffset', 'has no prefix-offset match');
  if (m.protocols) lines.push(`match protocol ${rangesText(m.protocols)}`);
  if (m.ports) unsupported('match.ports', 'class-maps have no source-or-destination "port" match (Flowspec type 4)');
  if (m.destinationPorts) lines.push(`match destination-port ${rangesText(m.destinationPorts)}`);
  if (m.sourcePorts) lines.push(`match source-port ${rangesText(m.sourcePorts)}`);
  for (const [key, kw] of [
    ['icmpTypes', 'icmp-type'],
    ['icmpCodes', 'icmp-code'],
  ] as const) {
    const r = m[key];
    if (!r) continue;
    const only = r.length === 1 && r[0]!.min === r[0]!.max ? r[0]!.min : undefined;
    if (only === undefined) unsupported(`match.${key}`, `${kw} takes a single value, not ${rangesText(r)}`);
    else lines.push(`match ${af} ${kw} ${only}`);
  }
  if (m.tcpFlags) {
    const vm = tcpFlagValueMask(m.tcpFlags);
    if (!vm) unsupported('match.tcpFlags', 'tcp-flag takes one value/bit-mask pair (flags set and clear); any/not-all tests and OR of clauses cannot be written');
    else lines.push(`match tcp-flag ${hex(vm.value)} bit-mask ${hex(vm.mask)}`);
  }
  if (m.packetLengths) lines.push(`match packet length ${rangesText(m.packetLengths)}`);
  if (m.dscp) lines.push(`match dscp ${rangesText(m.dscp)}`);
  if (m.fragment) {
    const ft = fragmentType(m.fragment);
    if (!ft) unsupported('match.fragment', `fragment-type takes one fragment type, not ${formatBitmaskExpression(m.fragment, FRAGMENT_NAMES, FRAGMENT_PREFERRED)}`);
    else lines.push(`match fragment-type ${ft}`);
  }
  if (m.flowLabel) unsupported('match.flowLabel', 'has no flow-label match');

  const actions: string[] = [];
  const a = rule.action;
  switch (a.kind) {
    case 'discard':
      actions.push('drop');
      break;
    case 'accept':
      actions.push('transmit');
      break;
    case 'rate-limit-bytes': {
      const bps = a.bytesPerSec * 8;
      if (bps === 0) actions.push('drop');
      else if (!Number.isSafeInteger(bps)) local.push(renderFinding('render_value_unsupported', rule, 'action', `iosxr police rate takes whole bits per second; ${a.bytesPerSec} bytes/s is ${bps} bit/s; rule left out`));
      else actions.push(`police rate ${bps} bps`);
      break;
    }
    case 'rate-limit-packets':
      if (!Number.isSafeInteger(a.packetsPerSec)) local.push(renderFinding('render_value_unsupported', rule, 'action', `iosxr police rate takes whole packets per second, not ${a.packetsPerSec}; rule left out`));
      else actions.push(`police rate ${a.packetsPerSec} pps`);
      break;
    case 'redirect': {
      const t = classifyRedirectTarget(a.target);
      if (!t) local.push(renderFinding('render_action_unsupported', rule, 'action', `redirect target "${a.target}" is not ASN:NN, IPv4:NN or an address; rule left out`));
      else if (t.kind === 'ip') actions.push(`redirect ${af} nexthop ${t.address}`);
      else actions.push(`redirect ${af} extcommunity rt ${a.target}`);
      break;
    }
    case 'mark-dscp':
      actions.push(`set dscp ${a.dscp}`);
      break;
  }
  if (rule.sample) local.push(renderFinding('render_modifier_unsupported', rule, 'sample', 'iosxr pbr policies have no flowspec sample action; rendered without sampling'));
  if (rule.terminal === false) local.push(renderFinding('render_modifier_unsupported', rule, 'terminal', 'iosxr pbr policies have no non-terminal action; rendered as terminal'));

  findings.push(...local);
  if (hasError(local)) return undefined;
  return { className, ruleId: rule.id, matchLines: lines, actionLines: actions };
}

export function renderIosxr(rules: readonly MitigationRule[], opts: RenderOptions = {}): RenderResult {
  const findings: Finding[] = [];
  const stem = opts.iosxrPolicyName ?? 'FAILSMALL-FLOWSPEC';
  const byFamily: Record<'ipv4' | 'ipv6', RenderedClass[]> = { ipv4: [], ipv6: [] };
  const used = new Set<string>();
  for (const rule of rules) {
    let name = `FS-${sanitiseName(rule.id, /[A-Za-z0-9_.-]/, 56)}`;
    for (let n = 2; used.has(name); n++) name = `FS-${sanitiseName(rule.id, /[A-Za-z0-9_.-]/, 52)}-${n}`;
    const c = renderClass(rule, name, findings);
    if (!c) continue;
    used.add(name);
    byFamily[rule.family].push(c);
  }
  const out: string[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    for (const c of byFamily[family]) {
      out.push(`! failsmall rule ${c.ruleId}`, `class-map type traffic match-all ${c.className}`, ...c.matchLines.map((l) => ` ${l}`), ' end-class-map', '!');
    }
  }
  for (const family of ['ipv4', 'ipv6'] as const) {
    if (byFamily[family].length === 0) continue;
    out.push(`policy-map type pbr ${stem}-${family === 'ipv4' ? 'V4' : 'V6'}`);
    for (const c of byFamily[family]) out.push(` class type traffic ${c.className}`, ...c.actionLines.map((l) => `  ${l}`), ' !');
    out.push(' class type traffic class-default', ' !', ' end-policy-map', '!');
  }
  const families = (['ipv4', 'ipv6'] as const).filter((f) => byFamily[f].length > 0);
  if (families.length > 0) {
    out.push('flowspec');
    for (const f of families) out.push(` address-family ${f}`, `  service-policy type pbr ${stem}-${f === 'ipv4' ? 'V4' : 'V6'}`, ' !');
    out.push('!');
  }
  return { text: out.length > 0 ? `${out.join('\n')}\n` : '', findings };
}
