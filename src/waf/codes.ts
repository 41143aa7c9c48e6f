// Codes produced by src/waf.
export const WAF_CODES = {
  waf_regex_invalid: 'the pattern does not compile as a JavaScript regular expression',
  waf_regex_superlinear: 'recheck found super-linear (polynomial or exponential) backtracking; the finding carries the attack string and the measured growth',
  waf_regex_check_inconclusive: 'recheck could not decide within its budget; treat as unsafe until reviewed',
  waf_regex_not_linear_engine: 'the pattern uses features (backreferences, lookaround) a linear-time engine (RE2) cannot run',
  waf_regex_slow_on_corpus: 'matching the sample request corpus costs more backtracking steps per request than the budget (or some request ran away)',
  waf_rule_duplicate_id: 'two WAF rules in one change share an id',
  waf_regex_cost_unmeasured: 'the step-counting cost model cannot run this syntax (unicode property escapes, inline modifiers), so the corpus cost is not measured',
} as const;
