// Codes produced by src/waf.
export const WAF_CODES = {
  waf_regex_invalid: 'the pattern does not compile as a JavaScript regular expression',
  waf_regex_superlinear: 'recheck found super-linear (polynomial or exponential) backtracking, with an attack string',
  waf_regex_check_inconclusive: 'recheck could not decide within its budget; treat as unsafe until reviewed',
  waf_regex_not_linear_engine: 'the pattern uses features (backreferences, lookaround) a linear-time engine (RE2) cannot run',
  waf_regex_slow_on_corpus: 'matching the sample corpus took longer than the per-request budget',
} as const;
