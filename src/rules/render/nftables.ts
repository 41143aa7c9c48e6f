// nftables ruleset for a Linux edge host: a table of its own (`table inet failsmall`, replaced
// atomically with the create/delete/define idiom) with one prerouting chain at raw priority.
// Each MitigationRule becomes one nft rule, or several when the match is an OR the nft rule
// language cannot say in one line (Flowspec "port" = source OR destination port, several flag
// clauses, fragment tests): those splits are reported. Fragment bits follow RFC 8955 §4.2.2.12
// (IsF = not the first fragment, FF = offset 0 with MF, LF = MF clear with offset != 0).
import type { BitmaskMatch, Finding, MitigationRule, NumericRange } from '../model.js';
import { type RenderOptions, type RenderResult, checkFieldWidths, hasError, hex, renderFinding, toLiteralDnf } from './common.js';

/** One way to satisfy a component: expressions that must all hold. */
type Alternative = readonly string[];

export function nftSet(ranges: readonly NumericRange[]): string {
  const items = ranges.map((r) => (r.min === r.max ? String(r.min) : `${r.min}-${r.max}`));
  return items.length === 1 ? items[0]! : `{ ${items.join(', ')} }`;
}

function tcpFlagAlternatives(match: BitmaskMatch): Alternative[] | undefined {
  const out: Alternative[] = [];
  for (const clause of match) {
    const exprs: string[] = [];
    for (const t of clause) {
      if (t.bits > 0xff) return undefined;
      const b = hex(t.bits);
      switch (t.op) {
        case 'all':
          exprs.push(`tcp flags & ${b} == ${b}`);
          break;
        case 'none':
          exprs.push(`tcp flags & ${b} == 0x0`);
          break;
        case 'any':
          exprs.push(`tcp flags & ${b} != 0x0`);
          break;
        case 'not-all':
          exprs.push(`tcp flags & ${b} != ${b}`);
          break;
      }
    }
    out.push(exprs);
  }
  return out;
}

/** RFC 8955 §4.2.2.12 fragment predicates on the IPv4 frag-off field (flags + offset). */
const IPV4_FRAGMENT: Readonly<Record<number, { readonly set: Alternative[]; readonly clear: Alternative[] }>> = {
  1: { set: [['ip frag-off & 0x4000 != 0x0']], clear: [['ip frag-off & 0x4000 == 0x0']] },
  2: { set: [['ip frag-off & 0x1fff != 0x0']], clear: [['ip frag-off & 0x1fff == 0x0']] },
  4: { set: [['ip frag-off & 0x3fff == 0x2000']], clear: [['ip frag-off & 0x3fff != 0x2000']] },
  8: { set: [['ip frag-off & 0x2000 == 0x0', 'ip frag-off & 0x1fff != 0x0']], clear: [['ip frag-off & 0x2000 != 0x0'], ['ip frag-off & 0x1fff == 0x0']] },
};

function fragmentAlternatives(match: BitmaskMatch): Alternative[] | undefined {
  const dnf = toLiteralDnf(match);
  if (!dnf) return undefined;
  const out: Alternative[] = [];
  for (const clause of dnf) {
    let acc: Alternative[] = [[]];
    for (const lit of clause) {
      const p = IPV4_FRAGMENT[lit.bit];
      if (!p) return undefined;
      const alts = lit.negated ? p.clear : p.set;
      acc = acc.flatMap((a) => alts.map((b) => [...a, ...b]));
    }
    out.push(...acc);
  }
  return out;
}

function quote(text: string, max: number): string {
  return `"${text.replace(/["\\\n]/g, '_').slice(0, max)}"`;
}

const MAX_SPLIT = 64;

function renderRule(rule: MitigationRule, findings: Finding[]): string[] | undefined {
  const local: Finding[] = [...checkFieldWidths(rule, 'nftables')];
  const m = rule.match;
  const v6 = rule.family === 'ipv6';
  const ip = v6 ? 'ip6' : 'ip';
  const unsupported = (component: string, why: string): void => {
    local.push(renderFinding('render_component_unsupported', rule, component, `nftables ${why}; rule left out`));
  };
  const components: Alternative[][] = [[[`meta nfproto ${v6 ? 'ipv6' : 'ipv4'}`]]];
  const one = (expr: string): void => {
    components.push([[expr]]);
  };
  if (m.destination) one(`${ip} daddr ${m.destination}`);
  if (m.source) one(`${ip} saddr ${m.source}`);
  if (m.destinationOffset) unsupported('match.destinationOffset', 'has no prefix-offset match');
  if (m.sourceOffset) unsupported('match.sourceOffset', 'has no prefix-offset match');

  const hasPorts = m.ports !== undefined || m.destinationPorts !== undefined || m.sourcePorts !== undefined;
  if (hasPorts) {
    // RFC 8955 §4.2.2.4-6: port components only match TCP and UDP packets.
    const portProtocols = [6, 17].filter((p) => !m.protocols || m.protocols.some((r) => r.min <= p && p <= r.max));
    if (portProtocols.length === 0) unsupported('match.protocols', 'cannot match ports on protocols other than TCP/UDP (the rule matches nothing)');
    else one(`meta l4proto ${nftSet(portProtocols.map((p) => ({ min: p, max: p })))}`);
  } else if (m.protocols) {
    one(`meta l4proto ${nftSet(m.protocols)}`);
  }
  if (m.ports) components.push([[`th sport ${nftSet(m.ports)}`], [`th dport ${nftSet(m.ports)}`]]);
  if (m.destinationPorts) one(`th dport ${nftSet(m.destinationPorts)}`);
  if (m.sourcePorts) one(`th sport ${nftSet(m.sourcePorts)}`);
  if (m.icmpTypes) one(`${v6 ? 'icmpv6' : 'icmp'} type ${nftSet(m.icmpTypes)}`);
  if (m.icmpCodes) one(`${v6 ? 'icmpv6' : 'icmp'} code ${nftSet(m.icmpCodes)}`);
  if (m.tcpFlags) {
    const alts = tcpFlagAlternatives(m.tcpFlags);
    if (!alts) unsupported('match.tcpFlags', 'tcp flags holds 8 bits; flags above 0x80 cannot be matched');
    else components.push(alts);
  }
  // IPv4: the header's total length; IPv6: the packet as received (header included, as for IPv4).
  if (m.packetLengths) one(`${v6 ? 'meta length' : 'ip length'} ${nftSet(m.packetLengths)}`);
  if (m.dscp) one(`${ip} dscp ${nftSet(m.dscp)}`);
  if (m.fragment) {
    if (v6) unsupported('match.fragment', 'IPv6 fragment tests (fragment header) are not rendered');
    else {
      const alts = fragmentAlternatives(m.fragment);
      if (!alts) unsupported('match.fragment', 'knows the four RFC 8955 fragment bits only');
      else components.push(alts);
    }
  }
  if (m.flowLabel) {
    if (v6) one(`ip6 flowlabel ${nftSet(m.flowLabel)}`);
    else unsupported('match.flowLabel', 'flow label exists only for IPv6');
  }

  const verdict: string[] = ['counter'];
  if (rule.sample) verdict.push(`log prefix ${quote(`failsmall ${rule.id}: `, 120)}`);
  const a = rule.action;
  switch (a.kind) {
    case 'discard':
      verdict.push('drop');
      break;
    case 'accept':
      if (rule.terminal !== false) verdict.push('accept');
      break;
    case 'rate-limit-bytes':
      if (a.bytesPerSec === 0) verdict.push('drop');
      else if (!Number.isSafeInteger(a.bytesPerSec)) local.push(renderFinding('render_value_unsupported', rule, 'action', `nftables limit takes whole bytes per second, not ${a.bytesPerSec}; rule left out`));
      else verdict.push(`limit rate over ${a.bytesPerSec} bytes/second drop`);
      break;
    case 'rate-limit-packets':
      if (!Number.isSafeInteger(a.packetsPerSec) || a.packetsPerSec === 0) {
        if (a.packetsPerSec === 0) verdict.push('drop');
        else local.push(renderFinding('render_value_unsupported', rule, 'action', `nftables limit takes whole packets per second, not ${a.packetsPerSec}; rule left out`));
      } else verdict.push(`limit rate over ${a.packetsPerSec}/second drop`);
      break;
    case 'redirect':
      local.push(renderFinding('render_action_unsupported', rule, 'action', `a host filter cannot redirect to a VRF or next hop (${a.target}); rule left out`));
      break;
    case 'mark-dscp':
      verdict.push(`${ip} dscp set ${a.dscp}`);
      if (rule.terminal !== false) verdict.push('accept');
      break;
  }

  let lines: Alternative[] = [[]];
  for (const alts of components) {
    lines = lines.flatMap((l) => alts.map((alt) => [...l, ...alt]));
    if (lines.length > MAX_SPLIT) {
      unsupported('match', `would need more than ${MAX_SPLIT} rules for this OR of ports/flags/fragments`);
      break;
    }
  }
  if (lines.length > 1 && (a.kind === 'rate-limit-bytes' || a.kind === 'rate-limit-packets')) {
    local.push(renderFinding('render_rule_split', rule, 'match', `rendered as ${lines.length} nft rules (OR of ports/flags/fragments); each applies its own rate limit, so the total allowed rate is up to ${lines.length}x`));
  }

  findings.push(...local);
  if (hasError(local)) return undefined;
  const comment = `comment ${quote(rule.id, 120)}`;
  return lines.map((exprs) => [...exprs, ...verdict, comment].join(' '));
}

export function renderNftables(rules: readonly MitigationRule[], opts: RenderOptions = {}): RenderResult {
  const findings: Finding[] = [];
  const table = opts.nftTable ?? 'failsmall';
  const body: string[] = [];
  for (const rule of rules) {
    const lines = renderRule(rule, findings);
    if (lines) body.push(...lines);
  }
  const out = [
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    '\tchain flowspec {',
    '\t\ttype filter hook prerouting priority raw; policy accept;',
    ...body.map((l) => `\t\t${l}`),
    '\t}',
    '}',
  ];
  return { text: `${out.join('\n')}\n`, findings };
}
