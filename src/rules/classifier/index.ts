// The compiled rule classifier (rules -> destination index + per-component closures), its
// reference semantics, and replay of traffic through a rule set.
export { AddressParser, parseDottedQuad } from './address-words.js';
export { type RuleClassifier, compileBitmask, compileClassifier, compileRanges } from './compile.js';
export { PORTED_PROTOCOLS, addressMatchesPrefix, bitmaskMatches, classifyLinear, flowMatchesRule, inRanges } from './match-flow.js';
export { type ReplayCounts, type ReplayReport, type RuleReplay, replayRules, zeroCounts } from './replay.js';
