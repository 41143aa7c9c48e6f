// ExaBGP flow routes (`flow { route NAME { match { } then { } } }`), optionally wrapped in a
// neighbor block so the text is a whole configuration `exabgp --validate` accepts. Numeric
// values use ExaBGP operators (=53, >=512&<=4470), bitmasks =all, any, !none, !=not-all.
// ExaBGP refuses values beyond the packet field (e.g. packet length > 65535), rt-redirect to
// "IPv4:NN" and packet-rate limits: those rules are findings, not output.
import type { BitmaskMatch, BitmaskTerm, Finding, MitigationRule, NumericRange } from '../model.js';
import { bitNames } from '../parse/bitmask.js';
import { FRAGMENT_NAMES, TCP_FLAG_NAMES } from '../parse/names.js';
import { classifyRedirectTarget } from '../parse/rule-parts.js';
import { type RenderOptions, type RenderResult, checkFieldWidths, hasError, renderFinding, sanitiseName, trafficActionFlags } from './common.js';

/** ExaBGP's own flag spellings (lower case; it also reads upper case). */
const EXABGP_TCP_PREFERRED = ['fin', 'syn', 'rst', 'push', 'ack', 'urgent', 'ece', 'cwr'];
const EXABGP_FRAGMENT_PREFERRED = ['dont-fragment', 'is-fragment', 'first-fragment', 'last-fragment'];

export function exabgpNumeric(ranges: readonly NumericRange[]): string {
  const items = ranges.map((r) => (r.min === r.max ? `=${r.min}` : `>=${r.min}&<=${r.max}`));
  return `[ ${items.join(' ')} ]`;
}

function bitmaskValue(bits: number, names: Readonly<Record<string, number>>, preferred: readonly string[]): string {
  return bitNames(bits, names, preferred)
    .map((n) => (n.startsWith('0x') ? String(Number.parseInt(n.slice(2), 16)) : n))
    .join('+');
}

function bitmaskTerm(t: BitmaskTerm, names: Readonly<Record<string, number>>, preferred: readonly string[]): string {
  const op = { all: '=', any: '', none: '!', 'not-all': '!=' }[t.op];
  return `${op}${bitmaskValue(t.bits, names, preferred)}`;
}

export function exabgpBitmask(match: BitmaskMatch, names: Readonly<Record<string, number>>, preferred: readonly string[]): string {
  return `[ ${match.map((clause) => clause.map((t) => bitmaskTerm(t, names, preferred)).join('&')).join(' ')} ]`;
}

function prefixText(cidr: string, offset: number | undefined, v6: boolean): string {
  return v6 && offset ? `${cidr}/${offset}` : cidr;
}

function renderRoute(rule: MitigationRule, findings: Finding[], names: Set<string>): string[] | undefined {
  const local: Finding[] = [...checkFieldWidths(rule, 'exabgp')];
  const m = rule.match;
  const v6 = rule.family === 'ipv6';
  const match: string[] = [];
  if (m.destination) match.push(`destination ${prefixText(m.destination, m.destinationOffset, v6)};`);
  if (m.source) match.push(`source ${prefixText(m.source, m.sourceOffset, v6)};`);
  if (!v6 && (m.destinationOffset || m.sourceOffset)) local.push(renderFinding('render_component_unsupported', rule, 'match.destinationOffset', 'prefix offsets exist only for IPv6; rule left out'));
  if (m.protocols) match.push(`${v6 ? 'next-header' : 'protocol'} ${exabgpNumeric(m.protocols)};`);
  if (m.ports) match.push(`port ${exabgpNumeric(m.ports)};`);
  if (m.destinationPorts) match.push(`destination-port ${exabgpNumeric(m.destinationPorts)};`);
  if (m.sourcePorts) match.push(`source-port ${exabgpNumeric(m.sourcePorts)};`);
  if (m.icmpTypes) match.push(`icmp-type ${exabgpNumeric(m.icmpTypes)};`);
  if (m.icmpCodes) match.push(`icmp-code ${exabgpNumeric(m.icmpCodes)};`);
  if (m.tcpFlags) match.push(`tcp-flags ${exabgpBitmask(m.tcpFlags, TCP_FLAG_NAMES, EXABGP_TCP_PREFERRED)};`);
  if (m.packetLengths) match.push(`packet-length ${exabgpNumeric(m.packetLengths)};`);
  // ExaBGP calls type 11 "traffic-class" for IPv6 and encodes the value as given (the DSCP).
  if (m.dscp) match.push(`${v6 ? 'traffic-class' : 'dscp'} ${exabgpNumeric(m.dscp)};`);
  if (m.fragment) match.push(`fragment ${exabgpBitmask(m.fragment, FRAGMENT_NAMES, EXABGP_FRAGMENT_PREFERRED)};`);
  if (m.flowLabel) {
    if (v6) match.push(`flow-label ${exabgpNumeric(m.flowLabel)};`);
    else local.push(renderFinding('render_component_unsupported', rule, 'match.flowLabel', 'flow label exists only for IPv6; rule left out'));
  }

  const then: string[] = [];
  const a = rule.action;
  switch (a.kind) {
    case 'accept':
    case 'discard':
      then.push(`${a.kind};`);
      break;
    case 'rate-limit-bytes':
      // ExaBGP reads an integer number of bytes per second (and caps it at 10^12).
      if (!Number.isSafeInteger(a.bytesPerSec) || a.bytesPerSec > 1e12) {
        local.push(renderFinding('render_value_unsupported', rule, 'action', `exabgp rate-limit takes whole bytes per second up to 10^12, not ${a.bytesPerSec}; rule left out`));
      } else then.push(`rate-limit ${a.bytesPerSec};`);
      break;
    case 'rate-limit-packets':
      local.push(renderFinding('render_action_unsupported', rule, 'action', 'exabgp 4.2 has no packets-per-second rate limit (traffic-rate-packets); rule left out'));
      break;
    case 'redirect': {
      const t = classifyRedirectTarget(a.target);
      if (!t) local.push(renderFinding('render_action_unsupported', rule, 'action', `redirect target "${a.target}" is not ASN:NN, IPv4:NN or an address; rule left out`));
      else if (t.kind === 'ipv4') local.push(renderFinding('render_action_unsupported', rule, 'action', `exabgp refuses rt-redirect "IPv4:NN" targets (${a.target}); rule left out`));
      // ExaBGP reads `redirect IPv4` (next-hop redirect) but wants IPv6 next hops as redirect-to-nexthop-ietf.
      else if (t.kind === 'ip') then.push(t.address.includes(':') ? `redirect-to-nexthop-ietf ${t.address};` : `redirect ${t.address};`);
      else then.push(`redirect ${t.asn}:${t.value};`);
      break;
    }
    case 'mark-dscp':
      then.push(`mark ${a.dscp};`);
      break;
  }
  const flags = trafficActionFlags(rule);
  if (flags !== 0) then.push(`action ${flags === 0x03 ? 'sample-terminal' : flags === 0x02 ? 'sample' : 'terminal'};`);

  findings.push(...local);
  if (hasError(local)) return undefined;
  let name = sanitiseName(rule.id, /[A-Za-z0-9_.:/-]/, 200);
  for (let n = 2; names.has(name); n++) name = `${sanitiseName(rule.id, /[A-Za-z0-9_.:/-]/, 190)}-${n}`;
  names.add(name);
  return [`route ${name} {`, '\tmatch {', ...match.map((l) => `\t\t${l}`), '\t}', '\tthen {', ...then.map((l) => `\t\t${l}`), '\t}', '}'];
}

export function renderExabgp(rules: readonly MitigationRule[], opts: RenderOptions = {}): RenderResult {
  const findings: Finding[] = [];
  const routes: string[] = [];
  const names = new Set<string>();
  for (const rule of rules) {
    const lines = renderRoute(rule, findings, names);
    if (!lines) continue;
    routes.push(...lines);
  }
  const flow = ['flow {', ...routes.map((l) => `\t${l}`), '}'];
  const n = opts.exabgpNeighbor;
  if (!n) return { text: `${flow.join('\n')}\n`, findings };
  const out = [
    `neighbor ${n.peerAddress} {`,
    `\trouter-id ${n.routerId};`,
    `\tlocal-address ${n.localAddress};`,
    `\tlocal-as ${n.localAs};`,
    `\tpeer-as ${n.peerAs};`,
    '\tfamily {',
    '\t\tipv4 flow;',
    '\t\tipv6 flow;',
    '\t}',
    ...flow.map((l) => `\t${l}`),
    '}',
  ];
  return { text: `${out.join('\n')}\n`, findings };
}
