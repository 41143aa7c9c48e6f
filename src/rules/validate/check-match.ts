// Values, physics and contradictions of one rule's match and action: can any packet match it,
// and can every value be carried by its packet field?
import type { BitmaskMatch, BitmaskTerm, Finding, MitigationRule, NumericRange } from '../model.js';
import { FRAGMENT_BITS, TCP_FLAG_BITS } from '../model.js';
import { enumerateReferencedValues, evaluateBitmask, fragmentStates, isBitmaskSatisfiable, isNonFirstFragment } from './bitmask-logic.js';
import type { ValidationEnv } from './context.js';
import { BITMASK_FIELDS, NUMERIC_FIELDS, PORT_PROTOCOLS, ipHeaderBytes, icmpProtocol, maxPacketLength, minTransportHeaderBytes } from './fields.js';
import { makeFinding } from './finding.js';
import { formatRanges, intervalSetHas, isWellFormedRange } from './interval-set.js';
import type { RuleFacts } from './rule-facts.js';

function isNonNegativeInteger(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function formatRange(r: NumericRange): string {
  return r.min === r.max ? String(r.min) : `${r.min}-${r.max}`;
}

function familyName(rule: MitigationRule): string {
  return rule.family === 'ipv4' ? 'IPv4' : 'IPv6';
}

export function checkMatch(facts: RuleFacts, env: ValidationEnv, out: Finding[]): void {
  checkNumericComponents(facts, out);
  checkPacketLengths(facts, env, out);
  checkPrefixes(facts, out);
  checkProtocolContradictions(facts, out);
  checkBitmasks(facts, out);
  checkAction(facts.rule, out);
}

function checkNumericComponents(facts: RuleFacts, out: Finding[]): void {
  const rule = facts.rule;
  for (const f of NUMERIC_FIELDS) {
    const ranges = rule.match[f.component];
    if (ranges === undefined) continue;
    const component = `match.${f.component}`;
    if (!Array.isArray(ranges) || ranges.length === 0) {
      out.push(makeFinding('validate_component_empty', 'error', { rule: rule.id, component, message: `${f.label} is present but lists no values, so the rule can never match`, expected: 'at least one value or range', actual: [] }));
      continue;
    }
    if (f.ipv6Only && rule.family === 'ipv4') {
      out.push(makeFinding('validate_component_wrong_family', 'error', { rule: rule.id, component, message: `${f.label} is an IPv6-only component (RFC 8956 §3.7) but the rule is IPv4`, expected: 'ipv6', actual: rule.family }));
      continue;
    }
    ranges.forEach((r, i) => {
      const path = `${component}[${i}]`;
      if (!isNonNegativeInteger(r.min) || !isNonNegativeInteger(r.max)) {
        out.push(makeFinding('validate_value_invalid', 'error', { rule: rule.id, component: path, message: `${f.label} ${formatRange(r)} is not a non-negative integer`, expected: 'integers 0 or above', actual: { min: r.min, max: r.max } }));
        return;
      }
      if (r.min > r.max) {
        out.push(makeFinding('validate_range_empty', 'error', { rule: rule.id, component: path, message: `${f.label} range ${r.min}-${r.max} is empty: min ${r.min} is above max ${r.max}`, expected: 'min <= max', actual: { min: r.min, max: r.max } }));
        return;
      }
      // Packet lengths are judged against the MTU and IP maximum in checkPacketLengths.
      if (f.component !== 'packetLengths' && r.max > f.max) {
        out.push(
          makeFinding('validate_value_out_of_range', 'error', {
            rule: rule.id,
            component: path,
            message: `${f.label} ${formatRange(r)} is beyond the largest value the ${f.widthBits}-bit field holds (${f.max})`,
            expected: `0-${f.max}`,
            actual: formatRange(r),
          }),
        );
      }
    });
  }
}

function describeLimit(facts: RuleFacts, env: ValidationEnv): { limit: number; text: string; mtu?: number } {
  const family = familyName(facts.rule);
  const ipMax = maxPacketLength(facts.rule.family);
  const mtu = env.network ? facts.scope.maxMtuBytes : undefined;
  if (mtu === undefined) return { limit: ipMax, text: `the ${family} maximum is ${ipMax} bytes` };
  const where = facts.scope.maxMtuPop ? `the largest MTU in scope is ${mtu} bytes (PoP ${facts.scope.maxMtuPop})` : `the network MTU is ${mtu} bytes`;
  return { limit: Math.min(mtu, ipMax), text: `${where} (${family} maximum ${ipMax})`, mtu };
}

function checkPacketLengths(facts: RuleFacts, env: ValidationEnv, out: Finding[]): void {
  const rule = facts.rule;
  const ranges = rule.match.packetLengths;
  if (!Array.isArray(ranges)) return;
  const valid = ranges.filter(isWellFormedRange);
  if (valid.length === 0) return;
  const component = 'match.packetLengths';
  const ipMax = maxPacketLength(rule.family);
  const { limit, text, mtu } = describeLimit(facts, env);

  // Cloudflare 2013: packet length 99971-99985 with MTU 4470. Nothing can match; say why in numbers.
  if (valid.every((r) => r.min > limit)) {
    out.push(
      makeFinding('validate_packet_length_unreachable', 'error', {
        rule: rule.id,
        component,
        message: `packet length ${formatRanges(valid)} can never match: ${text}`,
        expected: `packet lengths <= ${limit}`,
        actual: formatRanges(valid),
      }),
    );
    return;
  }
  for (const r of valid) {
    if (r.max > ipMax) {
      out.push(
        makeFinding('validate_value_out_of_range', 'error', {
          rule: rule.id,
          component,
          message: `packet length ${formatRange(r)} goes beyond the ${familyName(rule)} maximum of ${ipMax} bytes: lengths ${Math.max(r.min, ipMax + 1)}-${r.max} can never match`,
          expected: `packet lengths <= ${ipMax}`,
          actual: formatRange(r),
        }),
      );
    } else if (mtu !== undefined && r.max > limit && r.max !== ipMax && r.max !== 0xffff) {
      // An upper bound at the field maximum is the usual "length >= N" form, not a mistake.
      const dead = r.min > limit ? `all of it is` : `lengths ${limit + 1}-${r.max} are`;
      out.push(
        makeFinding('validate_packet_length_above_mtu', 'warning', {
          rule: rule.id,
          component,
          message: `packet length ${formatRange(r)}: ${dead} above what can arrive and never match: ${text}`,
          expected: `packet lengths <= ${limit}`,
          actual: formatRange(r),
        }),
      );
    }
  }

  // Smallest packet the rule's protocols allow.
  const header = ipHeaderBytes(rule.family);
  let minTransport = Infinity;
  let minProtocol: number | undefined;
  for (const p of facts.feasibleProtocols) {
    const t = minTransportHeaderBytes(p);
    if (t < minTransport) {
      minTransport = t;
      minProtocol = p;
    }
  }
  if (minTransport === Infinity) return; // no feasible protocol: reported as a contradiction
  const minBytes = header + minTransport;
  for (const r of valid) {
    if (r.max < minBytes) {
      const what = minTransport > 0 ? `IP header ${header} + protocol ${minProtocol} header ${minTransport}` : `the ${header}-byte ${familyName(rule)} header`;
      out.push(
        makeFinding('validate_packet_length_below_header', 'warning', {
          rule: rule.id,
          component,
          message: `packet length ${formatRange(r)} is below the smallest ${familyName(rule)} packet this rule can see, ${minBytes} bytes (${what}), and never matches`,
          expected: `packet lengths >= ${minBytes}`,
          actual: formatRange(r),
        }),
      );
    }
  }
}

function checkPrefixes(facts: RuleFacts, out: Finding[]): void {
  const rule = facts.rule;
  const m = rule.match;
  for (const [key, fact, offset, offsetKey] of [
    ['destination', facts.destination, m.destinationOffset, 'destinationOffset'],
    ['source', facts.source, m.sourceOffset, 'sourceOffset'],
  ] as const) {
    const component = `match.${key}`;
    if (fact && !fact.ok) {
      out.push(makeFinding('validate_prefix_invalid', 'error', { rule: rule.id, component, message: `${key} ${fact.error.message}`, expected: `an ${familyName(rule)} CIDR prefix`, actual: m[key] }));
    } else if (fact?.ok) {
      const fam = fact.prefix.family === 4 ? 'ipv4' : 'ipv6';
      if (fam !== rule.family) {
        out.push(
          makeFinding('validate_family_mismatch', 'error', {
            rule: rule.id,
            component,
            message: `${key} ${m[key]} is an ${fam === 'ipv4' ? 'IPv4' : 'IPv6'} prefix but the rule is ${familyName(rule)}`,
            expected: rule.family,
            actual: fam,
          }),
        );
      }
    }
    if (offset === undefined) continue;
    const oc = `match.${offsetKey}`;
    if (rule.family === 'ipv4') {
      if (offset !== 0) out.push(makeFinding('validate_component_wrong_family', 'error', { rule: rule.id, component: oc, message: `${key} prefix offset is an IPv6-only field (RFC 8956 §3.1) but the rule is IPv4`, expected: 'ipv6', actual: rule.family }));
      continue;
    }
    const length = fact?.ok ? fact.prefix.length : undefined;
    if (!isNonNegativeInteger(offset)) {
      out.push(makeFinding('validate_value_invalid', 'error', { rule: rule.id, component: oc, message: `${key} prefix offset ${offset} is not a non-negative integer`, expected: 'integer 0-127', actual: offset }));
    } else if (offset > 0 && (offset > 127 || (length !== undefined && offset >= length))) {
      out.push(
        makeFinding('validate_value_out_of_range', 'error', {
          rule: rule.id,
          component: oc,
          message: `${key} prefix offset ${offset} must be below the prefix length${length !== undefined ? ` ${length}` : ''} (RFC 8956 §3.1: offset < length < 129)`,
          expected: `offset < ${length ?? 128}`,
          actual: offset,
        }),
      );
    }
  }
}

function checkProtocolContradictions(facts: RuleFacts, out: Finding[]): void {
  const rule = facts.rule;
  const protocols = facts.numeric.get('protocols');
  const hasProtocols = protocols !== undefined && protocols.length > 0;
  const pText = hasProtocols ? formatRanges(protocols) : '';
  let reported = false;
  if (hasProtocols) {
    if (facts.usesTcpFlags && !intervalSetHas(protocols, 6)) {
      reported = true;
      out.push(makeFinding('validate_tcp_flags_without_tcp', 'error', { rule: rule.id, component: 'match.tcpFlags', message: `TCP flags are matched but protocol ${pText} excludes TCP (6): the rule can never match`, expected: 'protocol includes 6', actual: pText }));
    }
    const icmp = icmpProtocol(rule.family);
    if (facts.usesIcmp && !intervalSetHas(protocols, icmp)) {
      reported = true;
      const component = rule.match.icmpTypes !== undefined ? 'match.icmpTypes' : 'match.icmpCodes';
      out.push(makeFinding('validate_icmp_without_icmp', 'error', { rule: rule.id, component, message: `ICMP type/code is matched but protocol ${pText} excludes ${rule.family === 'ipv4' ? 'ICMP (1)' : 'ICMPv6 (58)'}: the rule can never match`, expected: `protocol includes ${icmp}`, actual: pText }));
    }
    if (facts.usesPorts && !PORT_PROTOCOLS.some((p) => intervalSetHas(protocols, p))) {
      reported = true;
      const component = rule.match.ports !== undefined ? 'match.ports' : rule.match.destinationPorts !== undefined ? 'match.destinationPorts' : 'match.sourcePorts';
      out.push(
        makeFinding('validate_ports_without_transport', 'error', {
          rule: rule.id,
          component,
          message: `ports are matched but protocol ${pText} has no ports (ports exist for TCP 6, UDP 17, DCCP 33, SCTP 132, UDP-Lite 136): the rule can never match`,
          expected: `protocol includes one of ${PORT_PROTOCOLS.join(', ')}`,
          actual: pText,
        }),
      );
    }
  }
  if (!reported && facts.feasibleProtocols.length === 0) {
    const needs: string[] = [];
    if (facts.usesIcmp) needs.push(`ICMP type/code needs protocol ${icmpProtocol(rule.family)}`);
    if (facts.usesTcpFlags) needs.push('TCP flags need protocol 6');
    if (facts.usesPorts) needs.push('ports need TCP/UDP/DCCP/SCTP/UDP-Lite');
    if (needs.length >= 2) {
      out.push(makeFinding('validate_l4_contradiction', 'error', { rule: rule.id, component: 'match', message: `no packet is two protocols at once: ${needs.join(', ')}; the rule can never match`, expected: 'components of one transport protocol', actual: needs }));
    }
  }
}

const TCP_FLAG_NAMES = Object.entries(TCP_FLAG_BITS) as Array<[string, number]>;
const FRAGMENT_NAMES = Object.entries(FRAGMENT_BITS) as Array<[string, number]>;

function nameBits(bits: number, names: ReadonlyArray<[string, number]>): string {
  const parts: string[] = [];
  let rest = bits >>> 0;
  for (const [name, bit] of names) {
    if (rest & bit) {
      parts.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest) parts.push(`0x${rest.toString(16)}`);
  return parts.join('|') || '0';
}

/** "all(first-fragment|is-fragment) or none(syn)" */
export function formatBitmask(match: BitmaskMatch, component: 'tcpFlags' | 'fragment'): string {
  const names = component === 'tcpFlags' ? TCP_FLAG_NAMES : FRAGMENT_NAMES;
  return match.map((clause) => clause.map((t) => `${t.op}(${nameBits(t.bits, names)})`).join(' and ') || 'true').join(' or ');
}

function checkBitmasks(facts: RuleFacts, out: Finding[]): void {
  const rule = facts.rule;
  for (const f of BITMASK_FIELDS) {
    const match: BitmaskMatch | undefined = rule.match[f.component];
    if (match === undefined) continue;
    const component = `match.${f.component}`;
    if (!Array.isArray(match) || match.length === 0) {
      out.push(makeFinding('validate_component_empty', 'error', { rule: rule.id, component, message: `${f.label} is present but has no clauses, so the rule can never match`, expected: 'at least one clause', actual: [] }));
      continue;
    }
    const fieldMax = 2 ** f.widthBits - 1;
    let wellFormed = true;
    match.forEach((clause: BitmaskMatch[number], ci: number) =>
      clause.forEach((term: BitmaskTerm, ti: number) => {
        const path = `${component}[${ci}][${ti}]`;
        if (!isNonNegativeInteger(term.bits)) {
          wellFormed = false;
          out.push(makeFinding('validate_value_invalid', 'error', { rule: rule.id, component: path, message: `${f.label} bits ${term.bits} are not a non-negative integer`, expected: `integer 0-${fieldMax}`, actual: term.bits }));
        } else if (term.bits > fieldMax) {
          wellFormed = false;
          out.push(
            makeFinding('validate_value_out_of_range', 'error', {
              rule: rule.id,
              component: path,
              message: `${f.label} bits 0x${term.bits.toString(16)} are outside the ${f.widthBits}-bit field (0x${fieldMax.toString(16)})${f.component === 'fragment' ? ': only DF, IsF, FF and LF are defined (RFC 8955 §4.2.2.12)' : ''}`,
              expected: `bits within 0x${fieldMax.toString(16)}`,
              actual: `0x${term.bits.toString(16)}`,
            }),
          );
        }
      }),
    );
    if (!wellFormed) continue;
    const text = formatBitmask(match, f.component);
    if (f.component === 'fragment') {
      const states = fragmentStates(rule.family);
      const matching = states.filter((v) => evaluateBitmask(match, v));
      if (matching.length === 0) {
        out.push(
          makeFinding('validate_fragment_unsatisfiable', 'error', {
            rule: rule.id,
            component,
            message: `no ${familyName(rule)} packet matches fragment ${text}: is-fragment means a fragment other than the first, so first-fragment excludes it and last-fragment needs it${rule.family === 'ipv6' ? '; IPv6 has no dont-fragment bit' : ''} (RFC 8955 §4.2.2.12)`,
            expected: 'a fragment state some packet can have',
            actual: text,
          }),
        );
      } else if (matching.every(isNonFirstFragment) && (facts.usesPorts || facts.usesTcpFlags || facts.usesIcmp)) {
        out.push(
          makeFinding('validate_fragment_without_l4_header', 'error', {
            rule: rule.id,
            component,
            message: `fragment ${text} only matches fragments other than the first, which carry no transport header, but the rule also matches ports, TCP flags or ICMP: it can never match`,
            expected: 'first fragments or unfragmented packets when matching transport fields',
            actual: text,
          }),
        );
      }
    } else if (!isBitmaskSatisfiable(match, enumerateReferencedValues([match]))) {
      out.push(makeFinding('validate_bitmask_unsatisfiable', 'error', { rule: rule.id, component, message: `no TCP flags value matches ${text}: every clause needs a bit both set and clear`, expected: 'a satisfiable flags expression', actual: text }));
    }
  }
}

function checkAction(rule: MitigationRule, out: Finding[]): void {
  const a = rule.action;
  const bad = (message: string, expected: unknown, actual: unknown): void => {
    out.push(makeFinding('validate_action_invalid', 'error', { rule: rule.id, component: 'action', message, expected, actual }));
  };
  switch (a.kind) {
    case 'rate-limit-bytes':
      if (!(Number.isFinite(a.bytesPerSec) && a.bytesPerSec >= 0)) bad(`rate limit ${a.bytesPerSec} bytes/s is not a finite non-negative number`, '>= 0', a.bytesPerSec);
      break;
    case 'rate-limit-packets':
      if (!(Number.isFinite(a.packetsPerSec) && a.packetsPerSec >= 0)) bad(`rate limit ${a.packetsPerSec} packets/s is not a finite non-negative number`, '>= 0', a.packetsPerSec);
      break;
    case 'mark-dscp':
      if (!(Number.isInteger(a.dscp) && a.dscp >= 0 && a.dscp <= 63)) bad(`DSCP mark ${a.dscp} is not an integer 0-63 (6-bit field)`, '0-63', a.dscp);
      break;
    case 'redirect':
      if (typeof a.target !== 'string' || a.target.trim() === '') bad('redirect has an empty target', 'a route target "ASN:NN" or "IP:NN"', a.target);
      break;
    default:
      break;
  }
}
