// Shared pieces of the vendor renderers: findings for what a format cannot say, field widths,
// single-bit literal expansion of bitmask matches, and the traffic action extended communities.
import type { BitmaskMatch, Finding, MitigationRule, NumericRange, RuleMatch } from '../model.js';
import { type NumericMatchKey, numericField } from '../parse/numeric.js';

export type RenderFormat = 'junos' | 'iosxr' | 'exabgp' | 'gobgp' | 'bird' | 'nftables' | 'native';

export const RENDER_FORMATS: readonly RenderFormat[] = ['junos', 'iosxr', 'exabgp', 'gobgp', 'bird', 'nftables', 'native'];

export interface RenderResult {
  readonly text: string;
  readonly findings: Finding[];
}

export interface RenderOptions {
  /** gobgp: command that starts each line (default "gobgp"), e.g. "gobgp -p 50051". */
  readonly gobgpCommand?: string;
  /** bird: flow table names (default flowtab4 / flowtab6). */
  readonly birdTables?: { readonly ipv4: string; readonly ipv6: string };
  /** bird: also declare the flow tables (default true). */
  readonly birdDeclareTables?: boolean;
  /** nftables: table name (default "failsmall") in the inet family. */
  readonly nftTable?: string;
  /** iosxr: policy-map name stem (default "FAILSMALL-FLOWSPEC"); -V4 / -V6 are appended. */
  readonly iosxrPolicyName?: string;
  /** exabgp: wrap the flow routes in a neighbor block (full config); otherwise a bare `flow { }` block. */
  readonly exabgpNeighbor?: {
    readonly peerAddress: string;
    readonly localAddress: string;
    readonly routerId: string;
    readonly localAs: number;
    readonly peerAs: number;
  };
}

/** Numeric components in Flowspec type order (RFC 8955 §4.2.2, RFC 8956 §3). */
export const NUMERIC_IN_TYPE_ORDER: readonly NumericMatchKey[] = ['protocols', 'ports', 'destinationPorts', 'sourcePorts', 'icmpTypes', 'icmpCodes', 'packetLengths', 'dscp', 'flowLabel'];

export function renderFinding(
  code: 'render_component_unsupported' | 'render_value_unsupported' | 'render_action_unsupported' | 'render_modifier_unsupported' | 'render_rule_split',
  rule: MitigationRule,
  component: string,
  message: string,
  extra: Partial<Finding> = {},
): Finding {
  const severity = code === 'render_modifier_unsupported' || code === 'render_rule_split' ? 'warning' : 'error';
  return { code, severity, rule: rule.id, component, message, ...extra };
}

export function hasError(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** Findings for numeric values beyond the packet field (a format whose syntax is field-typed cannot carry them). */
export function checkFieldWidths(rule: MitigationRule, format: RenderFormat, fieldLimits: Partial<Record<NumericMatchKey, number>> = {}): Finding[] {
  const out: Finding[] = [];
  for (const key of NUMERIC_IN_TYPE_ORDER) {
    const ranges = rule.match[key];
    if (!ranges) continue;
    const field = numericField(key, rule.family);
    const limit = fieldLimits[key] ?? field.fieldMax;
    const over = ranges.filter((r) => r.max > limit);
    if (over.length > 0) {
      out.push(
        renderFinding('render_value_unsupported', rule, `match.${key}`, `${format} cannot carry ${field.label} ${over.map(formatRange).join(', ')}: the field holds at most ${limit}; rule left out`, {
          expected: { max: limit },
          actual: over,
        }),
      );
    }
  }
  return out;
}

export function formatRange(r: NumericRange): string {
  return r.min === r.max ? String(r.min) : `${r.min}-${r.max}`;
}

/** The components present in a match, as model keys. */
export function presentComponents(match: RuleMatch): Array<keyof RuleMatch> {
  return (Object.keys(match) as Array<keyof RuleMatch>).filter((k) => match[k] !== undefined);
}

export interface BitLiteral {
  readonly bit: number;
  readonly negated: boolean;
}

function singleBits(bits: number): number[] {
  const out: number[] = [];
  for (let b = 1; b <= bits && b > 0; b *= 2) if ((bits & b) !== 0) out.push(b);
  return out;
}

/**
 * The match as an OR of AND-clauses of single-bit literals (bit set / bit clear): any and
 * not-all terms distribute into several clauses. Bounded: undefined past `maxClauses`.
 */
export function toLiteralDnf(match: BitmaskMatch, maxClauses = 64): BitLiteral[][] | undefined {
  const out: BitLiteral[][] = [];
  for (const clause of match) {
    let acc: BitLiteral[][] = [[]];
    for (const t of clause) {
      const bits = singleBits(t.bits);
      let alternatives: BitLiteral[][];
      switch (t.op) {
        case 'all':
          alternatives = [bits.map((bit) => ({ bit, negated: false }))];
          break;
        case 'none':
          alternatives = [bits.map((bit) => ({ bit, negated: true }))];
          break;
        case 'any':
          alternatives = bits.map((bit) => [{ bit, negated: false }]);
          break;
        case 'not-all':
          alternatives = bits.map((bit) => [{ bit, negated: true }]);
          break;
      }
      const next: BitLiteral[][] = [];
      for (const a of acc) for (const alt of alternatives) next.push([...a, ...alt]);
      if (next.length > maxClauses) return undefined;
      acc = next;
    }
    out.push(...acc);
    if (out.length > maxClauses) return undefined;
  }
  return out;
}

/** IEEE-754 single precision bits of a rate (the traffic-rate community's encoding, RFC 8955 §7.3). */
export function float32Bits(value: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  return view.getUint32(0);
}

/**
 * Traffic-action (0x8007) flag bits, RFC 8955 §7.3: S (0x02) = sample; T (0x01) = "terminal
 * action" which, when SET, means subsequent rules are still applied, i.e. the rule is not
 * terminal in the model's sense (MitigationRule.terminal === false).
 */
export function trafficActionFlags(rule: MitigationRule): number {
  return (rule.sample ? 0x02 : 0) | (rule.terminal === false ? 0x01 : 0);
}

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** Keep names a config language accepts as one bare word. */
export function sanitiseName(id: string, allowed: RegExp, maxLength = 63): string {
  let s = '';
  for (const ch of id) s += allowed.test(ch) ? ch : '-';
  return s.slice(0, maxLength) || 'rule';
}
