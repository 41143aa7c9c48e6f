// What a WAF regex costs: backtracking steps per request on a corpus (the step-counting VM,
// deterministic), growth on an attack string as it is pumped longer, and the CPU time that
// stands for. Pure.
import { type CompiledRegex, runRegex } from './regex-vm.js';

/**
 * Nanoseconds one VM step stands for in a JIT-compiled backtracking engine. Measured with
 * benchmarks/waf-regex-cost.ts (V8 Irregexp on the sample corpus: native time / VM steps,
 * 0.27-0.44 ns on this project's CI-class machine).
 */
export const NS_PER_STEP = 0.4;

/** Per-request step budget: a request that needs more is counted at the budget (it would time out or pin a core). */
export const DEFAULT_STEP_BUDGET = 1_000_000;

export interface RegexCost {
  readonly requests: number;
  readonly meanSteps: number;
  readonly medianSteps: number;
  readonly p99Steps: number;
  readonly maxSteps: number;
  /** Requests that ran out of the step budget (counted at the budget in the figures above). */
  readonly exhausted: number;
  readonly stepBudget: number;
  /**
   * Mean steps with each exhausted request's full cost extrapolated from its prefixes
   * (power law fitted on the longest prefixes that fit the budget): what an engine without a
   * step limit would really spend.
   */
  readonly estimatedMeanSteps: number;
  /** estimatedMeanSteps in CPU microseconds per request (NS_PER_STEP). */
  readonly cpuMicrosPerRequest: number;
}

/** Extrapolate the full cost of a request that exhausted the budget from prefixes that fit. */
function extrapolateSteps(re: CompiledRegex, input: string, stepBudget: number): number {
  let len = input.length;
  let fit: { len: number; steps: number } | undefined;
  while (len > 8) {
    len = Math.floor(len / 2);
    const r = runRegex(re, input.slice(0, len), stepBudget);
    if (r.exhausted) continue;
    if (!fit) {
      fit = { len, steps: r.steps };
      continue;
    }
    const degree = Math.max(1, Math.log(fit.steps / Math.max(1, r.steps)) / Math.log(fit.len / len));
    return Math.max(stepBudget, fit.steps * (input.length / fit.len) ** degree);
  }
  return stepBudget;
}

export function measureRegexCost(re: CompiledRegex, corpus: readonly string[], stepBudget = DEFAULT_STEP_BUDGET): RegexCost {
  const steps: number[] = [];
  let exhausted = 0;
  let estimatedTotal = 0;
  for (const input of corpus) {
    const r = runRegex(re, input, stepBudget);
    steps.push(r.steps);
    if (r.exhausted) {
      exhausted++;
      estimatedTotal += extrapolateSteps(re, input, stepBudget);
    } else estimatedTotal += r.steps;
  }
  const estimatedMeanSteps = steps.length === 0 ? 0 : estimatedTotal / steps.length;
  const sorted = [...steps].sort((a, b) => a - b);
  const at = (q: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  const mean = steps.length === 0 ? 0 : steps.reduce((s, x) => s + x, 0) / steps.length;
  return {
    requests: steps.length,
    meanSteps: mean,
    medianSteps: at(0.5),
    p99Steps: at(0.99),
    maxSteps: sorted.at(-1) ?? 0,
    exhausted,
    stepBudget,
    estimatedMeanSteps,
    cpuMicrosPerRequest: (estimatedMeanSteps * NS_PER_STEP) / 1000,
  };
}

export interface AttackShape {
  readonly pumps: ReadonlyArray<{ readonly prefix: string; readonly pump: string }>;
  readonly suffix: string;
}

export interface AttackGrowth {
  readonly points: ReadonlyArray<{ readonly length: number; readonly steps: number; readonly exhausted: boolean }>;
  /** Log-log slope between the two longest unexhausted points (≈ 1 linear, ≈ 2 quadratic, ...). */
  readonly measuredDegree?: number;
}

/** Build the attack string with each pump repeated `n` times. */
export function buildAttack(shape: AttackShape, n: number): string {
  return shape.pumps.map((p) => p.prefix + p.pump.repeat(n)).join('') + shape.suffix;
}

/** Steps on the attack string pumped to each size (capped by the budget). */
export function measureAttackGrowth(re: CompiledRegex, shape: AttackShape, pumpCounts: readonly number[] = [32, 64, 128, 256], stepBudget = 50_000_000): AttackGrowth {
  const points = pumpCounts.map((n) => {
    const input = buildAttack(shape, n);
    const r = runRegex(re, input, stepBudget);
    return { length: input.length, steps: r.steps, exhausted: r.exhausted };
  });
  const ok = points.filter((p) => !p.exhausted && p.steps > 0);
  const a = ok.at(-2);
  const b = ok.at(-1);
  const measuredDegree = a && b && b.length > a.length ? Math.log(b.steps / a.steps) / Math.log(b.length / a.length) : undefined;
  return { points, ...(measuredDegree !== undefined ? { measuredDegree } : {}) };
}
