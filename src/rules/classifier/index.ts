export { type RuleClassifier, compileClassifier } from './compile.js';
export { bitmaskMatches, classifyLinear, flowMatchesRule, inRanges } from './match-flow.js';
export { type ReplayCounts, type ReplayReport, type RuleReplay, replayRules } from './replay.js';
