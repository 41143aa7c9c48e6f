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
  /**
   * Where a WAF or data-file change goes (default: every PoP). A Flowspec change is scoped by its
   * rules' own scopes; this option does not widen or narrow them.
   */
  readonly scope?: RuleScope;
  /**
   * The PoPs that hold each rule id today (`ruleHolders` over the store): a withdraw goes only
   * there. Without it a withdraw reaches every PoP, since any of them may hold the rule.
   */
  readonly holders?: ReadonlyMap<string, readonly string[]>;
  /** Cumulative share of the scope after the canary reached after each wave (default 10%, 50%, 100%). */
  readonly waveShares?: readonly number[];
  /** Instead of shares: how many PoPs each wave after the canary takes; the rest form a last wave. */
  readonly waveSizes?: readonly number[];
  /** Instead of shares or sizes: this many waves after the canary, each twice the size of the one before. */
  readonly waveCount?: number;
  readonly bakeMs?: number;
  readonly gates?: readonly HealthGate[];
  /** A change reaching more than this share of the network's PoPs is wide (default 0.5). */
  readonly wideShare?: number;
  /** A change reaching more than this many PoPs is wide, whatever the share. */
  readonly wideMaxPops?: number;
}

export class PlanError extends Error {
  override name = 'PlanError';
  constructor(
    readonly code: 'rollout_scope_empty' | 'rollout_scope_unknown' | 'rollout_canary_out_of_scope' | 'rollout_plan_invalid',
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
      const unknown = scope.regions.filter((r) => !network.pops.some((p) => p.region === r));
      if (unknown.length > 0) throw new PlanError('rollout_scope_unknown', `scope names regions the network has no PoPs in: ${unknown.join(', ')}`);
      return network.pops.filter((p) => scope.regions.includes(p.region)).map((p) => p.id);
    }
  }
}

/**
 * The PoPs a change reaches, in network order. Flowspec: the union of its rules' scopes, plus
 * the PoPs holding each withdrawn rule (every PoP when `holders` is not given). WAF and data
 * files: `scope`, or every PoP. `global` is true when a rule or the scope says so.
 */
export function artifactScope(artifact: Artifact, network: NetworkDescription, opts: Pick<PlanOptions, 'scope' | 'holders'> = {}): { pops: string[]; global: boolean } {
  const pops = new Set<string>();
  let global = false;
  if (artifact.kind !== 'flowspec') {
    const scope = opts.scope ?? { kind: 'global' };
    global = scope.kind === 'global';
    for (const p of resolveScope(scope, network)) pops.add(p);
  } else {
    for (const rule of artifact.add) {
      if (rule.scope.kind === 'global') global = true;
      for (const p of resolveScope(rule.scope, network)) pops.add(p);
    }
    for (const id of artifact.withdraw) {
      const holders = opts.holders ? (opts.holders.get(id) ?? []) : network.pops.map((p) => p.id);
      for (const p of holders) pops.add(p);
    }
  }
  return { pops: network.pops.map((p) => p.id).filter((id) => pops.has(id)), global };
}

function checkOptions(opts: PlanOptions): void {
  const bad = (message: string): never => {
    throw new PlanError('rollout_plan_invalid', message);
  };
  if (opts.bakeMs !== undefined && !(Number.isFinite(opts.bakeMs) && opts.bakeMs >= 0)) bad(`bake time must be a non-negative number of ms, got ${opts.bakeMs}`);
  if ([opts.waveShares, opts.waveSizes, opts.waveCount].filter((x) => x !== undefined).length > 1) bad('give one of wave shares, wave sizes or a wave count');
  if (opts.waveCount !== undefined && !(Number.isInteger(opts.waveCount) && opts.waveCount >= 1 && opts.waveCount <= 30)) bad(`wave count must be an integer from 1 to 30, got ${opts.waveCount}`);
  if (opts.waveShares) {
    let last = 0;
    for (const share of opts.waveShares) {
      if (!(share > last && share <= 1)) bad(`wave shares must grow strictly within (0, 1], got ${opts.waveShares.join(', ')}`);
      last = share;
    }
  }
  if (opts.waveSizes && opts.waveSizes.some((n) => !Number.isInteger(n) || n < 1)) bad(`wave sizes must be positive integers, got ${opts.waveSizes.join(', ')}`);
  if (opts.wideShare !== undefined && !(opts.wideShare >= 0 && opts.wideShare <= 1)) bad(`wide share must be within [0, 1], got ${opts.wideShare}`);
  if (opts.wideMaxPops !== undefined && !(Number.isInteger(opts.wideMaxPops) && opts.wideMaxPops >= 0)) bad(`wide PoP count must be a non-negative integer, got ${opts.wideMaxPops}`);
}

/** Split the PoPs after the canary into waves: by absolute sizes, or by cumulative shares. */
function splitWaves(rest: readonly string[], opts: PlanOptions): string[][] {
  const waves: string[][] = [];
  let taken = 0;
  if (opts.waveSizes) {
    for (const n of opts.waveSizes) {
      if (taken >= rest.length) break;
      waves.push(rest.slice(taken, taken + n));
      taken += n;
    }
  } else {
    // waveCount n: cumulative shares (2^(i+1) - 1) / (2^n - 1), i.e. sizes 1 : 2 : 4 : ...
    const doubling = opts.waveCount !== undefined ? Array.from({ length: opts.waveCount }, (_, i) => (2 ** (i + 1) - 1) / (2 ** opts.waveCount! - 1)) : undefined;
    for (const share of opts.waveShares ?? doubling ?? [0.1, 0.5, 1]) {
      const upto = Math.min(rest.length, Math.max(taken + 1, Math.ceil(share * rest.length)));
      if (upto > taken) waves.push(rest.slice(taken, upto));
      taken = upto;
    }
  }
  if (taken < rest.length) waves.push(rest.slice(taken));
  return waves;
}

/**
 * Plan a change: scope (only the PoPs it needs), the canary (the in-scope PoP with the least
 * capacity, i.e. the least traffic at risk; ties by id), waves growing by share (1, then 10%,
 * 50%, the rest by default) in order of capacity, a bake time per wave, health gates, and
 * whether the scope is wide (global, more than `wideShare` of the PoPs or more than
 * `wideMaxPops`), in which case a second person must approve it. Throws PlanError.
 */
export function planRollout(artifact: Artifact, network: NetworkDescription, opts: PlanOptions): RolloutPlan {
  checkOptions(opts);
  const { pops, global } = artifactScope(artifact, network, opts);
  if (pops.length === 0) {
    const held = artifact.kind === 'flowspec' && artifact.add.length === 0 && opts.holders ? `: no PoP holds ${artifact.withdraw.join(', ') || 'anything'} according to the store` : '';
    throw new PlanError('rollout_scope_empty', `the change reaches no PoP${held}`);
  }
  const capacity = (id: string): number => network.pops.find((p) => p.id === id)?.capacityBps ?? 0;
  const byCapacity = (a: string, b: string): number => capacity(a) - capacity(b) || a.localeCompare(b);
  const canary = opts.canaryPop ?? [...pops].sort(byCapacity)[0]!;
  if (!pops.includes(canary)) throw new PlanError('rollout_canary_out_of_scope', `canary ${canary} is not in the change's scope (${pops.join(', ')})`);
  const rest = pops.filter((p) => p !== canary).sort(byCapacity);
  const waves: string[][] = [[canary], ...splitWaves(rest, opts)];
  const wideShare = opts.wideShare ?? 0.5;
  const wide = global || pops.length > wideShare * network.pops.length || (opts.wideMaxPops !== undefined && pops.length > opts.wideMaxPops);
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
    wide,
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
