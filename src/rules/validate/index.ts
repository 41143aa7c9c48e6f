// Public API of the rule validator (src/rules/validate). Pure: the caller passes the network,
// installed rules, device models, approvals and the time.
export { RULES_VALIDATE_CODES, type ValidateCode } from './codes.js';
export type { ValidationContext } from './context.js';
export { isAcceptable, validateRules } from './validate-rules.js';
export { countComponentEntries, countRangePrefixes, countRuleTcamEntries } from './ternary-expansion.js';
export { countMultiValueRanges } from './check-devices.js';
export { describeAction } from './check-overlap.js';
export { formatBitmask } from './check-match.js';
export { DESTINATION_LIMITS, MAX_EXPIRY_MS } from './check-blast-radius.js';
export { maxPacketLength } from './fields.js';
