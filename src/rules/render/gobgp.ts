// GoBGP CLI lines, one per rule:
//   gobgp global rib -a ipv4-flowspec add match destination 198.51.100.0/24 protocol ==17 \
//     source-port ==53 packet-length '>=512&<=4470' then discard
// Items are OR'ed; a leading '&' ANDs an item onto the previous one. Bitmask items use
// =(all) !(none) !=(not-all) or no operator (any) with GoBGP's one-letter flags (FSRPAUEC).
// Arguments that the shell would interpret are single-quoted. 4-byte ASNs in redirect targets
// are written in asdot, the only form the CLI turns into the 4-byte-AS redirect community.
import type { BitmaskMatch, Finding, MitigationRule, NumericRange } from '../model.js';
import { classifyRedirectTarget } from '../parse/rule-parts.js';
import { type RenderOptions, type RenderResult, checkFieldWidths, hasError, renderFinding, trafficActionFlags } from './common.js';

const TCP_LETTERS: ReadonlyArray<readonly [number, string]> = [
  [0x01, 'F'],
  [0x02, 'S'],
  [0x04, 'R'],
  [0x08, 'P'],
  [0x10, 'A'],
  [0x20, 'U'],
  [0x40, 'E'],
  [0x80, 'C'],
];
const FRAGMENT_WORDS: Readonly<Record<number, string>> = { 1: 'dont-fragment', 2: 'is-fragment', 4: 'first-fragment', 8: 'last-fragment' };
const OP = { all: '=', any: '', none: '!', 'not-all': '!=' } as const;

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=,+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function gobgpNumericItems(ranges: readonly NumericRange[]): string[] {
  return ranges.map((r) => (r.min === r.max ? `==${r.min}` : `>=${r.min}&<=${r.max}`));
}

function tcpItems(match: BitmaskMatch): string[] | undefined {
  const items: string[] = [];
  for (const clause of match) {
    const terms: string[] = [];
    for (const t of clause) {
      if (t.bits > 0xff) return undefined;
      const letters = TCP_LETTERS.filter(([bit]) => (t.bits & bit) !== 0)
        .map(([, l]) => l)
        .join('');
      terms.push(`${OP[t.op]}${letters}`);
    }
    items.push(terms.join('&'));
  }
  return items;
}

function fragmentItems(match: BitmaskMatch): string[] | undefined {
  const items: string[] = [];
  for (const clause of match) {
    const terms: string[] = [];
    for (const t of clause) {
      // GoBGP names one fragment bit per term.
      const word = FRAGMENT_WORDS[t.bits];
      if (!word) return undefined;
      terms.push(`${OP[t.op]}${word}`);
    }
    items.push(terms.join('&'));
  }
  return items;
}

function renderLine(rule: MitigationRule, command: string, findings: Finding[]): string | undefined {
  const local: Finding[] = [...checkFieldWidths(rule, 'gobgp')];
  const m = rule.match;
  const v6 = rule.family === 'ipv6';
  const args: string[] = [];
  const prefix = (kw: string, cidr: string, offset: number | undefined): void => {
    args.push(kw, cidr);
    if (v6 && offset) args.push(String(offset));
    else if (!v6 && offset) local.push(renderFinding('render_component_unsupported', rule, `match.${kw}Offset`, 'prefix offsets exist only for IPv6; rule left out'));
  };
  if (m.destination) prefix('destination', m.destination, m.destinationOffset);
  if (m.source) prefix('source', m.source, m.sourceOffset);
  const numeric = (kw: string, r: readonly NumericRange[] | undefined): void => {
    if (r) args.push(kw, ...gobgpNumericItems(r));
  };
  numeric('protocol', m.protocols);
  numeric('port', m.ports);
  numeric('destination-port', m.destinationPorts);
  numeric('source-port', m.sourcePorts);
  numeric('icmp-type', m.icmpTypes);
  numeric('icmp-code', m.icmpCodes);
  if (m.tcpFlags) {
    const items = tcpItems(m.tcpFlags);
    if (!items) local.push(renderFinding('render_value_unsupported', rule, 'match.tcpFlags', 'gobgp names only the eight low TCP flags (FSRPAUEC); rule left out'));
    else args.push('tcp-flags', ...items);
  }
  numeric('packet-length', m.packetLengths);
  numeric('dscp', m.dscp);
  if (m.fragment) {
    const items = fragmentItems(m.fragment);
    if (!items) local.push(renderFinding('render_component_unsupported', rule, 'match.fragment', 'gobgp fragment terms name one fragment bit each; multi-bit terms cannot be written; rule left out'));
    else args.push('fragment', ...items);
  }
  if (m.flowLabel) {
    if (v6) numeric('label', m.flowLabel);
    else local.push(renderFinding('render_component_unsupported', rule, 'match.flowLabel', 'flow label exists only for IPv6; rule left out'));
  }

  const then: string[] = [];
  const a = rule.action;
  switch (a.kind) {
    case 'accept':
    case 'discard':
      then.push(a.kind);
      break;
    case 'rate-limit-bytes':
      then.push('rate-limit', String(a.bytesPerSec));
      break;
    case 'rate-limit-packets':
      local.push(renderFinding('render_action_unsupported', rule, 'action', 'the gobgp CLI has no packets-per-second rate limit (traffic-rate-packets); rule left out'));
      break;
    case 'redirect': {
      const t = classifyRedirectTarget(a.target);
      if (!t || t.kind === 'ip') local.push(renderFinding('render_action_unsupported', rule, 'action', `the gobgp CLI redirects to route targets (ASN:NN, IPv4:NN) only, not "${a.target}"; rule left out`));
      // The gobgp CLI reads "ASN:NN" as a 2-byte AS (a 4-byte ASN is silently cut to 65535);
      // a 4-byte ASN must be written in asdot ("64086.59905:66") to get the 0x8208 community.
      else if (t.kind === 'as4') then.push('redirect', `${Math.floor(t.asn / 65536)}.${t.asn % 65536}:${t.value}`);
      else then.push('redirect', a.target);
      break;
    }
    case 'mark-dscp':
      then.push('mark', String(a.dscp));
      break;
  }
  const flags = trafficActionFlags(rule);
  if (flags !== 0) then.push('action', flags === 0x03 ? 'sample-terminal' : flags === 0x02 ? 'sample' : 'terminal');

  findings.push(...local);
  if (hasError(local)) return undefined;
  if (args.length === 0) {
    findings.push(renderFinding('render_component_unsupported', rule, 'match', 'gobgp needs at least one match component; rule left out'));
    return undefined;
  }
  const family = v6 ? 'ipv6-flowspec' : 'ipv4-flowspec';
  return `${command} global rib -a ${family} add match ${args.map(shellQuote).join(' ')} then ${then.map(shellQuote).join(' ')}`;
}

export function renderGobgp(rules: readonly MitigationRule[], opts: RenderOptions = {}): RenderResult {
  const findings: Finding[] = [];
  const lines: string[] = [];
  for (const rule of rules) {
    const line = renderLine(rule, opts.gobgpCommand ?? 'gobgp', findings);
    if (line) lines.push(`# ${rule.id.replace(/\n/g, ' ')}`, line);
  }
  return { text: lines.length > 0 ? `${lines.join('\n')}\n` : '', findings };
}
