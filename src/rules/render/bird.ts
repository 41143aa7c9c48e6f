// BIRD 2 static flowspec routes: `flow4 { dst ...; length 512..4470; }` in a `protocol static`
// that feeds flow4/flow6 tables. Actions are the RFC 8955 §7 extended communities written as
// BIRD generic communities: traffic-rate 0x8006 (float bytes/s; 0 = discard), traffic-action
// 0x8007, rt-redirect 0x8008/0x8108/0x8208, traffic-marking 0x8009, traffic-rate-packets 0x800c.
import type { BitmaskMatch, Finding, MitigationRule, NumericRange } from '../model.js';
import { classifyRedirectTarget } from '../parse/rule-parts.js';
import { type RenderOptions, type RenderResult, checkFieldWidths, float32Bits, hasError, hex, renderFinding, toLiteralDnf, trafficActionFlags } from './common.js';

const FRAGMENT_WORDS: Readonly<Record<number, string>> = { 1: 'dont_fragment', 2: 'is_fragment', 4: 'first_fragment', 8: 'last_fragment' };

export function birdNumeric(ranges: readonly NumericRange[]): string {
  return ranges.map((r) => (r.min === r.max ? String(r.min) : `${r.min}..${r.max}`)).join(', ');
}

/** TCP flags as BIRD value/mask terms: all b/b, none 0/b, any !0/b, not-all !b/b. */
export function birdTcpFlags(match: BitmaskMatch): string {
  return match
    .map((clause) =>
      clause
        .map((t) => {
          switch (t.op) {
            case 'all':
              return `${hex(t.bits)}/${hex(t.bits)}`;
            case 'none':
              return `0x0/${hex(t.bits)}`;
            case 'any':
              return `!0x0/${hex(t.bits)}`;
            case 'not-all':
              return `!${hex(t.bits)}/${hex(t.bits)}`;
          }
        })
        .join(' && '),
    )
    .join(' || ');
}

/** Fragment bits by name, one bit per literal: clauses of [!]name joined with && and ||. */
function birdFragment(match: BitmaskMatch): string | undefined {
  const dnf = toLiteralDnf(match);
  if (!dnf) return undefined;
  const clauses: string[] = [];
  for (const clause of dnf) {
    const lits: string[] = [];
    for (const l of clause) {
      const word = FRAGMENT_WORDS[l.bit];
      if (!word) return undefined;
      lits.push(`${l.negated ? '!' : ''}${word}`);
    }
    clauses.push(lits.join(' && '));
  }
  return clauses.join(' || ');
}

function ipv4ToU32(address: string): number {
  return address.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

/** Extended communities for the rule's action, as BIRD `(generic, hi, lo)` pairs. */
export function birdExtCommunities(rule: MitigationRule): Array<[number, number]> | string {
  const out: Array<[number, number]> = [];
  const a = rule.action;
  switch (a.kind) {
    case 'accept':
      break;
    case 'discard':
      out.push([0x80060000, 0]);
      break;
    case 'rate-limit-bytes':
      out.push([0x80060000, float32Bits(a.bytesPerSec)]);
      break;
    case 'rate-limit-packets':
      out.push([0x800c0000, float32Bits(a.packetsPerSec)]);
      break;
    case 'mark-dscp':
      out.push([0x80090000, a.dscp]);
      break;
    case 'redirect': {
      const t = classifyRedirectTarget(a.target);
      if (!t) return `redirect target "${a.target}" is not ASN:NN, IPv4:NN or an address`;
      if (t.kind === 'as2') out.push([(0x80080000 | t.asn) >>> 0, t.value >>> 0]);
      else if (t.kind === 'as4') out.push([(0x82080000 | (t.asn >>> 16)) >>> 0, (((t.asn & 0xffff) << 16) | t.value) >>> 0]);
      else if (t.kind === 'ipv4') {
        const ip = ipv4ToU32(t.address);
        out.push([(0x81080000 | (ip >>> 16)) >>> 0, (((ip & 0xffff) << 16) | t.value) >>> 0]);
      } else return `bird static flow routes cannot carry a redirect-to-IP next hop (${t.address})`;
      break;
    }
  }
  const flags = trafficActionFlags(rule);
  if (flags !== 0) out.push([0x80070000, flags]);
  return out;
}

function renderRoute(rule: MitigationRule, findings: Finding[]): string[] | undefined {
  const local: Finding[] = [...checkFieldWidths(rule, 'bird')];
  const m = rule.match;
  const v6 = rule.family === 'ipv6';
  const parts: string[] = [];
  const prefix = (kw: string, cidr: string, offset: number | undefined): void => {
    if (offset && !v6) local.push(renderFinding('render_component_unsupported', rule, `match.${kw}Offset`, 'prefix offsets exist only for IPv6; rule left out'));
    parts.push(offset ? `${kw} ${cidr} offset ${offset}` : `${kw} ${cidr}`);
  };
  if (m.destination) prefix('dst', m.destination, m.destinationOffset);
  if (m.source) prefix('src', m.source, m.sourceOffset);
  if (m.protocols) parts.push(`${v6 ? 'next header' : 'proto'} ${birdNumeric(m.protocols)}`);
  if (m.ports) parts.push(`port ${birdNumeric(m.ports)}`);
  if (m.destinationPorts) parts.push(`dport ${birdNumeric(m.destinationPorts)}`);
  if (m.sourcePorts) parts.push(`sport ${birdNumeric(m.sourcePorts)}`);
  if (m.icmpTypes) parts.push(`icmp type ${birdNumeric(m.icmpTypes)}`);
  if (m.icmpCodes) parts.push(`icmp code ${birdNumeric(m.icmpCodes)}`);
  if (m.tcpFlags) parts.push(`tcp flags ${birdTcpFlags(m.tcpFlags)}`);
  if (m.packetLengths) parts.push(`length ${birdNumeric(m.packetLengths)}`);
  if (m.dscp) parts.push(`dscp ${birdNumeric(m.dscp)}`);
  if (m.fragment) {
    const f = birdFragment(m.fragment);
    if (!f) local.push(renderFinding('render_component_unsupported', rule, 'match.fragment', 'bird names the four RFC 8955 fragment bits only (or the expression expands past 64 clauses); rule left out'));
    else parts.push(`fragment ${f}`);
  }
  if (m.flowLabel) {
    if (v6) parts.push(`label ${birdNumeric(m.flowLabel)}`);
    else local.push(renderFinding('render_component_unsupported', rule, 'match.flowLabel', 'flow label exists only for IPv6; rule left out'));
  }
  if (parts.length === 0) local.push(renderFinding('render_component_unsupported', rule, 'match', 'bird needs at least one flow component; rule left out'));

  const communities = birdExtCommunities(rule);
  if (typeof communities === 'string') local.push(renderFinding('render_action_unsupported', rule, 'action', `${communities}; rule left out`));

  findings.push(...local);
  if (hasError(local) || typeof communities === 'string') return undefined;
  const head = `route ${v6 ? 'flow6' : 'flow4'} { ${parts.join('; ')}; }`;
  const lines = [`# ${rule.id.replace(/\n/g, ' ')}`];
  if (communities.length === 0) lines.push(`${head};`);
  else lines.push(`${head} {`, ...communities.map(([hi, lo]) => `\tbgp_ext_community.add((generic, ${hex(hi)}, ${hex(lo)}));`), '};');
  return lines;
}

export function renderBird(rules: readonly MitigationRule[], opts: RenderOptions = {}): RenderResult {
  const findings: Finding[] = [];
  const tables = opts.birdTables ?? { ipv4: 'flowtab4', ipv6: 'flowtab6' };
  const byFamily: Record<'ipv4' | 'ipv6', string[]> = { ipv4: [], ipv6: [] };
  for (const rule of rules) {
    const lines = renderRoute(rule, findings);
    if (lines) byFamily[rule.family].push(...lines);
  }
  const out: string[] = [];
  if (opts.birdDeclareTables !== false) out.push(`flow4 table ${tables.ipv4};`, `flow6 table ${tables.ipv6};`, '');
  for (const family of ['ipv4', 'ipv6'] as const) {
    const routes = byFamily[family];
    if (routes.length === 0) continue;
    const t = family === 'ipv4' ? 'flow4' : 'flow6';
    out.push(`protocol static failsmall_${t} {`, `\t${t} { table ${family === 'ipv4' ? tables.ipv4 : tables.ipv6}; };`, ...routes.map((l) => `\t${l}`), '}', '');
  }
  return { text: out.join('\n'), findings };
}
