// WAF rule checks: recheck super-linearity, RE2 compatibility and measured cost on a corpus.
export { REGEX_2019, type RegexCheckOptions, type RegexCheckResult, type RegexComplexity, checkWafRegex, useRecheckPureBackend } from './check-regex.js';
export { type AttackGrowth, type AttackShape, DEFAULT_STEP_BUDGET, NS_PER_STEP, type RegexCost, buildAttack, measureAttackGrowth, measureRegexCost } from './regex-cost.js';
export { type CompiledRegex, type MatchRun, RegexUnsupportedError, compileRegex, runRegex } from './regex-vm.js';
export { sampleRequestCorpus } from './sample-corpus.js';
export { WAF_CODES } from './codes.js';
