// WAF regex checks before a rule set ships: super-linear backtracking (recheck, pure-JS
// backend, deterministic), whether RE2 could run it in linear time (re2js), and measured cost
// on a sample corpus against a per-request budget.
import { RE2JS } from 're2js';
import { checkSync } from 'recheck';
import type { Finding } from '../rules/model.js';

export interface RegexCheckOptions {
  /** Per-request CPU budget for the measured corpus cost, ms. */
  readonly budgetMsPerRequest?: number;
  /** recheck time budget, ms. */
  readonly recheckTimeoutMs?: number;
  readonly ruleId?: string;
}

export interface RegexCheckResult {
  readonly findings: Finding[];
  readonly complexity: 'linear' | 'polynomial' | 'exponential' | 'unknown';
  readonly degree?: number;
  readonly attack?: string;
  /** Median measured ms per corpus entry. */
  readonly measuredMsPerRequest: number;
  /** Modelled proxy CPU share at a typical request size (>= 1 saturates a proxy). */
  readonly modelledCpuShare: number;
}

const TYPICAL_REQUEST_BYTES = 2048;

/** CPU share a proxy spends on this regex at a typical request size (the simulator's cost model). */
export function modelCpuShare(complexity: RegexCheckResult['complexity'], degree?: number): number {
  switch (complexity) {
    case 'linear':
      return 0.02;
    case 'polynomial':
      return Math.min(10, 0.02 * (TYPICAL_REQUEST_BYTES / 64) ** Math.max(1, (degree ?? 2) - 1));
    case 'exponential':
    case 'unknown':
      return 10;
  }
}

export function checkWafRegex(pattern: string, corpus: readonly string[], opts: RegexCheckOptions = {}): RegexCheckResult {
  const rule = opts.ruleId;
  const base = { rule, component: 'pattern' };
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern);
  } catch (e) {
    return {
      findings: [{ ...base, code: 'waf_regex_invalid', severity: 'error', message: `pattern does not compile: ${(e as Error).message}` }],
      complexity: 'unknown',
      measuredMsPerRequest: 0,
      modelledCpuShare: 0,
    };
  }
  const findings: Finding[] = [];
  const diag = checkSync(pattern, '', { timeout: opts.recheckTimeoutMs ?? 10_000 });
  let complexity: RegexCheckResult['complexity'] = 'unknown';
  let degree: number | undefined;
  let attack: string | undefined;
  if (diag.status === 'vulnerable') {
    complexity = diag.complexity.type === 'exponential' ? 'exponential' : 'polynomial';
    degree = diag.complexity.type === 'polynomial' ? diag.complexity.degree : undefined;
    attack = diag.attack.pattern;
    findings.push({
      ...base,
      code: 'waf_regex_superlinear',
      severity: 'error',
      message: `catastrophic backtracking: ${diag.complexity.summary}; an input like ${attack.slice(0, 60)}${attack.length > 60 ? '…' : ''} makes matching time grow ${complexity === 'exponential' ? 'exponentially' : `as length^${degree}`}`,
      expected: 'linear',
      actual: diag.complexity.summary,
    });
  } else if (diag.status === 'safe') {
    complexity = 'linear';
  } else {
    findings.push({ ...base, code: 'waf_regex_check_inconclusive', severity: 'error', message: `recheck could not decide (${diag.error.kind}); review the pattern or make it linear` });
  }
  try {
    RE2JS.compile(pattern);
  } catch (e) {
    findings.push({ ...base, code: 'waf_regex_not_linear_engine', severity: 'warning', message: `RE2 cannot run this pattern in linear time: ${(e as Error).message}` });
  }
  // Measured cost on the sample corpus (bounded input sizes; a super-linear pattern is not run
  // on attack strings here, only on the operator's corpus).
  const times: number[] = [];
  for (const input of corpus.slice(0, 1000)) {
    const t = performance.now();
    compiled.test(input.slice(0, 16_384));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const measured = times.length === 0 ? 0 : times[Math.floor((times.length - 1) / 2)]!;
  const budget = opts.budgetMsPerRequest ?? 1;
  if (measured > budget) {
    findings.push({ ...base, code: 'waf_regex_slow_on_corpus', severity: 'error', message: `median ${measured.toFixed(2)} ms per request on the corpus, budget ${budget} ms`, expected: budget, actual: measured });
  }
  return { findings, complexity, ...(degree !== undefined ? { degree } : {}), ...(attack !== undefined ? { attack } : {}), measuredMsPerRequest: measured, modelledCpuShare: modelCpuShare(complexity, degree) };
}

/** The regex from Cloudflare's 2019-07-02 outage (public post-mortem). */
export const REGEX_2019 = String.raw`(?:(?:\"|'|\]|\}|\\|\d|(?:nan|infinity|true|false|null|undefined|symbol|math)|\`|\-|\+)+[)]*;?((?:\s|-|~|!|{}|\|\||\+)*.*(?:.*=.*)))`;
