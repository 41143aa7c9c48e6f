// WAF regex checks before a rule set ships:
// - super-linear backtracking: recheck (pure-JS backend, deterministic limits) with its attack
//   string, confirmed by pumping that attack through the step-counting VM;
// - cost on a sample corpus: backtracking steps per request (regex-vm), against a budget;
// - whether a linear-time engine (RE2, via re2js) can run the pattern at all.
// Pure apart from recheck's process-wide backend setting (see useRecheckPureBackend).
import { RE2JS } from 're2js';
import { checkSync } from 'recheck';
import type { Finding } from '../rules/model.js';
import { type AttackGrowth, DEFAULT_STEP_BUDGET, type RegexCost, measureAttackGrowth, measureRegexCost } from './regex-cost.js';
import { type CompiledRegex, RegexUnsupportedError, compileRegex } from './regex-vm.js';

export interface RegexCheckOptions {
  readonly ruleId?: string;
  readonly flags?: string;
  /** Mean backtracking steps per corpus request allowed (default 20,000 ≈ 40 µs). */
  readonly maxMeanStepsPerRequest?: number;
  /** Steps after which one request counts as runaway (default 1,000,000). */
  readonly stepBudgetPerRequest?: number;
  /** recheck's overall time limit, ms (a timeout is reported as inconclusive). */
  readonly recheckTimeoutMs?: number;
}

export type RegexComplexity = 'linear' | 'polynomial' | 'exponential' | 'unknown';

export interface RegexCheckResult {
  readonly findings: Finding[];
  readonly complexity: RegexComplexity;
  readonly degree?: number;
  /** recheck's attack, as its pattern expression (e.g. `'\'\t' + '\t'.repeat(2081) + '\n'`). */
  readonly attack?: string;
  readonly attackGrowth?: AttackGrowth;
  /** Cost on the corpus; absent when the VM cannot model the syntax. */
  readonly cost?: RegexCost;
  readonly re2Compatible: boolean;
}

/**
 * recheck's synchronous API runs in a worker that may start its native or Java agent; the
 * pure Scala.js backend needs neither and runs in-process. Set once, before the first check.
 */
export function useRecheckPureBackend(): void {
  process.env.RECHECK_SYNC_BACKEND ??= 'pure';
}

const DEFAULT_MAX_MEAN_STEPS = 20_000;

export function checkWafRegex(pattern: string, corpus: readonly string[], opts: RegexCheckOptions = {}): RegexCheckResult {
  const flags = opts.flags ?? '';
  const base = { ...(opts.ruleId !== undefined ? { rule: opts.ruleId } : {}), component: 'pattern' };
  try {
    new RegExp(pattern, flags);
  } catch (e) {
    return { findings: [{ ...base, code: 'waf_regex_invalid', severity: 'error', message: `pattern does not compile: ${(e as Error).message}` }], complexity: 'unknown', re2Compatible: false };
  }
  const findings: Finding[] = [];
  let vm: CompiledRegex | undefined;
  try {
    vm = compileRegex(pattern, flags);
  } catch (e) {
    if (!(e instanceof RegexUnsupportedError)) throw e;
    findings.push({ ...base, code: 'waf_regex_cost_unmeasured', severity: 'warning', message: `the cost model cannot run this pattern (${e.message}); its CPU cost on the corpus is not measured` });
  }

  useRecheckPureBackend();
  const diag = checkSync(pattern, flags, { timeout: opts.recheckTimeoutMs ?? 30_000, attackTimeout: null, incubationTimeout: null, seedingTimeout: null, recallTimeout: -1 });
  let complexity: RegexComplexity = 'unknown';
  let degree: number | undefined;
  let attack: string | undefined;
  let attackGrowth: AttackGrowth | undefined;
  if (diag.status === 'vulnerable') {
    complexity = diag.complexity.type;
    degree = diag.complexity.type === 'polynomial' ? diag.complexity.degree : undefined;
    attack = diag.attack.pattern;
    if (vm) attackGrowth = measureAttackGrowth(vm, diag.attack, complexity === 'exponential' ? [8, 12, 16, 20] : [32, 64, 128, 256]);
    const measured = attackGrowth?.measuredDegree;
    findings.push({
      ...base,
      code: 'waf_regex_superlinear',
      severity: 'error',
      message:
        `catastrophic backtracking (${diag.complexity.summary}): matching time grows ${complexity === 'exponential' ? 'exponentially' : `as length^${degree}`} on inputs like ${attack}` +
        (attackGrowth ? `; measured steps ${attackGrowth.points.map((p) => `${p.length} chars: ${p.exhausted ? '>' : ''}${p.steps}`).join(', ')}${measured !== undefined ? ` (slope ${measured.toFixed(1)})` : ''}` : ''),
      expected: 'linear',
      actual: diag.complexity.summary,
    });
  } else if (diag.status === 'safe') {
    complexity = 'linear';
  } else {
    findings.push({ ...base, code: 'waf_regex_check_inconclusive', severity: 'error', message: `recheck could not decide (${diag.error.kind}${'message' in diag.error ? `: ${diag.error.message}` : ''}); review the pattern or make it linear` });
  }

  let re2Compatible = true;
  try {
    RE2JS.compile(pattern, flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (e) {
    re2Compatible = false;
    findings.push({ ...base, code: 'waf_regex_not_linear_engine', severity: 'warning', message: `RE2 cannot run this pattern (so it cannot be moved to a linear-time engine): ${(e as Error).message}` });
  }

  let cost: RegexCost | undefined;
  if (vm && corpus.length > 0) {
    cost = measureRegexCost(vm, corpus, opts.stepBudgetPerRequest ?? DEFAULT_STEP_BUDGET);
    const max = opts.maxMeanStepsPerRequest ?? DEFAULT_MAX_MEAN_STEPS;
    if (cost.meanSteps > max || cost.exhausted > 0) {
      findings.push({
        ...base,
        code: 'waf_regex_slow_on_corpus',
        severity: 'error',
        message: `on ${cost.requests} sample requests: mean ${Math.round(cost.meanSteps)} backtracking steps (≈${cost.cpuMicrosPerRequest.toFixed(0)} µs CPU) per request, p99 ${cost.p99Steps}, ${cost.exhausted} request(s) past ${cost.stepBudget} steps; budget ${max} steps per request`,
        expected: max,
        actual: Math.round(cost.meanSteps),
      });
    }
  }
  return { findings, complexity, ...(degree !== undefined ? { degree } : {}), ...(attack !== undefined ? { attack } : {}), ...(attackGrowth ? { attackGrowth } : {}), ...(cost ? { cost } : {}), re2Compatible };
}

/** The regex from Cloudflare's 2019-07-02 outage (public post-mortem). */
export const REGEX_2019 = String.raw`(?:(?:\"|'|\]|\}|\\|\d|(?:nan|infinity|true|false|null|undefined|symbol|math)|\`|\-|\+)+[)]*;?((?:\s|-|~|!|{}|\|\||\+)*.*(?:.*=.*)))`;
