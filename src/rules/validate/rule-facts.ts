// Per-rule facts computed once and shared by the checks: parsed prefixes, the scope resolved
// against the network, the protocols a packet could have, normalized numeric sets.
import type { Prefix, PrefixParseError } from '../../lib/prefix.js';
import type { MitigationRule, NumericRange } from '../model.js';
import type { ResolvedScope, ValidationEnv } from './context.js';
import { NUMERIC_FIELDS, type NumericComponent, PORT_PROTOCOLS, icmpProtocol } from './fields.js';
import { intervalSetHas, normalizeRanges } from './interval-set.js';

export type PrefixFact = { readonly ok: true; readonly prefix: Prefix } | { readonly ok: false; readonly error: PrefixParseError } | undefined;

export interface RuleFacts {
  readonly rule: MitigationRule;
  readonly index: number;
  readonly destination: PrefixFact;
  readonly source: PrefixFact;
  readonly scope: ResolvedScope;
  /** Normalized (well-formed ranges only) numeric components that are present. */
  readonly numeric: ReadonlyMap<NumericComponent, readonly NumericRange[]>;
  /** Protocols a matching packet could carry given every component (empty: none). */
  readonly feasibleProtocols: readonly number[];
  readonly usesPorts: boolean;
  readonly usesIcmp: boolean;
  readonly usesTcpFlags: boolean;
}

function parseFact(env: ValidationEnv, text: string | undefined): PrefixFact {
  if (text === undefined) return undefined;
  const r = env.parse(text);
  return r.ok ? { ok: true, prefix: r.value } : { ok: false, error: r.error };
}

const allProtocols: readonly number[] = Array.from({ length: 256 }, (_, i) => i);

export function computeRuleFacts(rule: MitigationRule, index: number, env: ValidationEnv): RuleFacts {
  const m = rule.match;
  const numeric = new Map<NumericComponent, readonly NumericRange[]>();
  for (const f of NUMERIC_FIELDS) {
    const ranges = m[f.component];
    if (Array.isArray(ranges)) numeric.set(f.component, normalizeRanges(ranges));
  }
  const usesPorts = [m.ports, m.destinationPorts, m.sourcePorts].some((c) => c !== undefined);
  const usesIcmp = m.icmpTypes !== undefined || m.icmpCodes !== undefined;
  const usesTcpFlags = m.tcpFlags !== undefined;
  const protocolSet = numeric.get('protocols');
  let feasible = protocolSet && protocolSet.length > 0 ? allProtocols.filter((p) => intervalSetHas(protocolSet, p)) : allProtocols;
  if (usesTcpFlags) feasible = feasible.filter((p) => p === 6);
  if (usesIcmp) feasible = feasible.filter((p) => p === icmpProtocol(rule.family));
  if (usesPorts) feasible = feasible.filter((p) => PORT_PROTOCOLS.includes(p));
  return {
    rule,
    index,
    destination: parseFact(env, m.destination),
    source: parseFact(env, m.source),
    scope: env.resolveScope(rule.scope),
    numeric,
    feasibleProtocols: feasible,
    usesPorts,
    usesIcmp,
    usesTcpFlags,
  };
}
