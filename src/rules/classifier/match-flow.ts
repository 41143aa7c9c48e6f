// Reference semantics: does a FlowRecord match a rule's components (RFC 8955 §4.2 / RFC 8956)?
// Written for clarity, not speed: the compiled classifier (compile.ts) is a separate
// implementation, and a fast-check property keeps the two in agreement.
//
// - A numeric component matches when the field lies in one of its inclusive ranges; a field the
//   record does not carry (no ICMP type, no flow label) never matches.
// - Port components (types 4-6) match only protocols that carry ports (TCP, UDP, SCTP) and
//   never a non-first fragment, which has no transport header (RFC 8955 §4.2.2.3-6).
// - ICMP type/code need ICMP or ICMPv6, TCP flags need TCP, the flow label needs IPv6.
// - A prefix with an RFC 8956 §3.1 offset compares address bits [offset, length) only.
// - A prefix that does not parse, or is of the other family, matches nothing.
import { type Prefix, bitAt, parseAddress, parsePrefix } from '../../lib/prefix.js';
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
  // Field and bits as unsigned 32-bit values (JavaScript's & works on signed 32 bits).
  return m.some((clause) =>
    clause.every((t) => {
      const bits = t.bits >>> 0;
      const x = (v & bits) >>> 0;
      switch (t.op) {
        case 'all':
          return x === bits;
        case 'any':
          return x !== 0;
        case 'none':
          return x === 0;
        case 'not-all':
          return x !== bits;
      }
    }),
  );
}

/** Address bits [offset, p.length) equal the prefix's (offset 0: ordinary prefix match). */
export function addressMatchesPrefix(address: Uint8Array, p: Prefix, offset = 0): boolean {
  if (address.length !== p.bytes.length) return false;
  for (let i = Math.max(0, offset); i < p.length; i++) if (bitAt(address, i) !== bitAt(p.bytes, i)) return false;
  return true;
}

/** Protocols that carry ports in their first 4 bytes: TCP, UDP, SCTP. */
export const PORTED_PROTOCOLS: ReadonlySet<number> = new Set([6, 17, 132]);
const isNonFirstFragment = (f: FlowRecord): boolean => (f.fragmentFlags & 0x02) !== 0 && (f.fragmentFlags & 0x04) === 0;

function prefixComponentMatches(text: string | undefined, offset: number | undefined, addressText: string): boolean {
  if (text === undefined) return true;
  const p = parsePrefix(text, { allowHostBits: true });
  const a = parseAddress(addressText);
  return p.ok && a !== undefined && addressMatchesPrefix(a, p.value, offset ?? 0);
}

export function flowMatchesRule(rule: MitigationRule, f: FlowRecord): boolean {
  const m = rule.match;
  if ((rule.family === 'ipv4') !== (f.family === 4)) return false;
  if (!prefixComponentMatches(m.destination, m.destinationOffset, f.dstAddr)) return false;
  if (!prefixComponentMatches(m.source, m.sourceOffset, f.srcAddr)) return false;
  if (!inRanges(f.protocol, m.protocols)) return false;
  const hasPorts = PORTED_PROTOCOLS.has(f.protocol) && !isNonFirstFragment(f);
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
