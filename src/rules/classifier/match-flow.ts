// Reference semantics: does a FlowRecord match a rule's components (RFC 8955 §4.2 / RFC 8956)?
// Used directly by the naive matcher and, compiled, by the classifier; the property test
// keeps the two in agreement.
import { addressInPrefix, parseAddress, parsePrefix } from '../../lib/prefix.js';
import type { FlowRecord } from '../../telemetry/flow-record.js';
import type { BitmaskMatch, MitigationRule, NumericRange } from '../model.js';

export function inRanges(v: number | undefined, ranges: readonly NumericRange[] | undefined): boolean {
  if (!ranges) return true;
  if (v === undefined) return false;
  for (const r of ranges) if (v >= r.min && v <= r.max) return true;
  return false;
}

export function bitmaskMatches(v: number | undefined, m: BitmaskMatch | undefined): boolean {
  if (!m) return true;
  if (v === undefined) return false;
  return m.some((clause) =>
    clause.every((t) => {
      const x = v & t.bits;
      switch (t.op) {
        case 'all':
          return x === t.bits;
        case 'any':
          return x !== 0;
        case 'none':
          return x === 0;
        case 'not-all':
          return x !== t.bits;
      }
    }),
  );
}

/** Protocols that carry ports in their first 4 bytes. */
const PORTED = new Set([6, 17, 132]);
const isNonFirstFragment = (f: FlowRecord): boolean => (f.fragmentFlags & 0x02) !== 0 && (f.fragmentFlags & 0x04) === 0;

export function flowMatchesRule(rule: MitigationRule, f: FlowRecord): boolean {
  const m = rule.match;
  if ((rule.family === 'ipv4') !== (f.family === 4)) return false;
  for (const [text, addrText] of [
    [m.destination, f.dstAddr],
    [m.source, f.srcAddr],
  ] as const) {
    if (!text) continue;
    const p = parsePrefix(text, { allowHostBits: true });
    const a = parseAddress(addrText);
    if (!p.ok || !a || !addressInPrefix(a, p.value)) return false;
  }
  if (!inRanges(f.protocol, m.protocols)) return false;
  const hasPorts = PORTED.has(f.protocol) && !isNonFirstFragment(f);
  if (m.ports && !(hasPorts && (inRanges(f.srcPort, m.ports) || inRanges(f.dstPort, m.ports)))) return false;
  if (m.destinationPorts && !(hasPorts && inRanges(f.dstPort, m.destinationPorts))) return false;
  if (m.sourcePorts && !(hasPorts && inRanges(f.srcPort, m.sourcePorts))) return false;
  const isIcmp = f.protocol === 1 || f.protocol === 58;
  if (m.icmpTypes && !(isIcmp && inRanges(f.icmpType, m.icmpTypes))) return false;
  if (m.icmpCodes && !(isIcmp && inRanges(f.icmpCode, m.icmpCodes))) return false;
  if (m.tcpFlags && !(f.protocol === 6 && bitmaskMatches(f.tcpFlags, m.tcpFlags))) return false;
  if (!inRanges(f.packetLengthBytes, m.packetLengths)) return false;
  if (!inRanges(f.dscp, m.dscp)) return false;
  if (!bitmaskMatches(f.fragmentFlags, m.fragment)) return false;
  if (m.flowLabel && !(f.family === 6 && inRanges(f.flowLabel, m.flowLabel))) return false;
  return true;
}

/** Naive classifier: rules in order, first terminal match stops. Reference for tests. */
export function classifyLinear(rules: readonly MitigationRule[], f: FlowRecord): string[] {
  const out: string[] = [];
  for (const r of rules) {
    if (!flowMatchesRule(r, f)) continue;
    out.push(r.id);
    if (r.terminal !== false) break;
  }
  return out;
}
