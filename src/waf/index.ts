export { REGEX_2019, type RegexCheckOptions, type RegexCheckResult, checkWafRegex, modelCpuShare } from './check-regex.js';
export { WAF_CODES } from './codes.js';
