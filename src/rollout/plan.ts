// A change becomes a RolloutPlan: scope (only the PoPs that need it), a canary PoP, waves of
// growing size, a bake time per wave and health gates. Pure.
import type { Artifact } from '../fleet/enforcement.js';
import type { NetworkDescription } from '../fleet/network.js';
import type { RuleScope } from '../rules/model.js';
import { DEFAULT_GATES, type HealthGate } from './gates.js';

export interface RolloutPlan {
  readonly id: string;
  readonly title: string;
  readonly artifact: Artifact;
  readonly author: string;
  readonly reason: string;
  readonly createdMs: number;
  /** Every PoP the change reaches, in rollout order (canary first). */
  readonly scopePops: readonly string[];
  /** waves[0] is the canary. */
  readonly waves: ReadonlyArray<readonly string[]>;
  readonly bakeMs: number;
  readonly gates: readonly HealthGate[];
  /** Global scope, or more than `wideShare` of the PoPs: needs an approver other than the author. */
  readonly wide: boolean;
}

export interface PlanOptions {
  readonly id: string;
  readonly author: string;
  readonly reason?: string;
  readonly nowMs: number;
  readonly title?: string;
  readonly canaryPop?: string;
  /** Cumulative share of the scope reached after each wave after the canary. */
  readonly waveShares?: readonly number[];
  readonly bakeMs?: number;
  readonly gates?: readonly HealthGate[];
  readonly wideShare?: number;
}

export class PlanError extends Error {
  override name = 'PlanError';
  constructor(
    readonly code: 'rollout_scope_empty' | 'rollout_scope_unknown' | 'rollout_canary_out_of_scope',
    message: string,
  ) {
    super(message);
  }
}

/** PoPs a rule scope names (regions expand to their PoPs; global to all). */
export function resolveScope(scope: RuleScope, network: NetworkDescription): string[] {
  switch (scope.kind) {
    case 'global':
      return network.pops.map((p) => p.id);
    case 'pops': {
      const unknown = scope.pops.filter((id) => !network.pops.some((p) => p.id === id));
      if (unknown.length > 0) throw new PlanError('rollout_scope_unknown', `scope names PoPs the network does not have: ${unknown.join(', ')}`);
      return [...scope.pops];
    }
    case 'regions': {
      const pops = network.pops.filter((p) => scope.regions.includes(p.region)).map((p) => p.id);
      if (pops.length === 0) throw new PlanError('rollout_scope_unknown', `no PoPs in regions ${scope.regions.join(', ')}`);
      return pops;
    }
  }
}

export function artifactScope(artifact: Artifact, network: NetworkDescription): { pops: string[]; global: boolean } {
  if (artifact.kind !== 'flowspec') return { pops: network.pops.map((p) => p.id), global: true };
  const pops = new Set<string>();
  let global = false;
  for (const rule of artifact.add) {
    if (rule.scope.kind === 'global') global = true;
    for (const p of resolveScope(rule.scope, network)) pops.add(p);
  }
  // A withdraw reaches every PoP that may have the rule: all of them.
  if (artifact.withdraw.length > 0) for (const p of network.pops) pops.add(p.id);
  return { pops: network.pops.map((p) => p.id).filter((id) => pops.has(id)), global };
}

export function planRollout(artifact: Artifact, network: NetworkDescription, opts: PlanOptions): RolloutPlan {
  const { pops, global } = artifactScope(artifact, network);
  if (pops.length === 0) throw new PlanError('rollout_scope_empty', 'the change reaches no PoP');
  const capacity = (id: string): number => network.pops.find((p) => p.id === id)?.capacityBps ?? 0;
  // Canary: the in-scope PoP with the least capacity (least traffic at risk), ties by id.
  const canary = opts.canaryPop ?? [...pops].sort((a, b) => capacity(a) - capacity(b) || a.localeCompare(b))[0]!;
  if (!pops.includes(canary)) throw new PlanError('rollout_canary_out_of_scope', `canary ${canary} is not in the change's scope (${pops.join(', ')})`);
  const rest = pops.filter((p) => p !== canary).sort((a, b) => capacity(a) - capacity(b) || a.localeCompare(b));
  const shares = opts.waveShares ?? [0.1, 0.5, 1];
  const waves: string[][] = [[canary]];
  let taken = 0;
  for (const share of shares) {
    const upto = Math.min(rest.length, Math.max(taken + 1, Math.ceil(share * rest.length)));
    if (upto > taken) waves.push(rest.slice(taken, upto));
    taken = upto;
  }
  if (taken < rest.length) waves.push(rest.slice(taken));
  const wideShare = opts.wideShare ?? 0.5;
  return {
    id: opts.id,
    title: opts.title ?? describeArtifact(artifact),
    artifact,
    author: opts.author,
    reason: opts.reason ?? '',
    createdMs: opts.nowMs,
    scopePops: waves.flat(),
    waves,
    bakeMs: opts.bakeMs ?? 5 * 60_000,
    gates: opts.gates ?? DEFAULT_GATES,
    wide: global || pops.length > wideShare * network.pops.length,
  };
}

export function describeArtifact(a: Artifact): string {
  switch (a.kind) {
    case 'flowspec':
      return `flowspec +${a.add.length}${a.withdraw.length ? ` -${a.withdraw.length}` : ''}: ${a.add.map((r) => r.id).join(', ') || a.withdraw.join(', ')}`;
    case 'waf-regex':
      return `waf-regex ${a.rules.map((r) => r.id).join(', ')}`;
    case 'data-file':
      return `data-file ${a.name} ${a.version}`;
  }
}
