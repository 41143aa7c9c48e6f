// Public API of the flowspec domain: MitigationRule <-> Flowspec NLRI + extended communities (pure).
export { FLOWSPEC_CODES, type FlowspecCode } from './codes.js';
export { COMPONENT_TYPE, COMPONENTS, type ComponentInfo, type ComponentType, findComponent } from './components.js';
export {
  type NumericTerm,
  type NumericComparison,
  type ValueLength,
  evaluateNumericTerms,
  encodeRangesAsTerms,
  normalizeRanges,
  smallestValueLength,
} from './numeric-operators.js';
export { type BitmaskWireTerm, bitmaskTermsToMatch, matchToBitmaskTerms } from './bitmask-operators.js';
export {
  type FlowspecNlri,
  type FlowspecComponent,
  type FlowspecNlriEntry,
  type FlowspecCodecOptions,
  type Ipv6OffsetLayout,
  MAX_NLRI_VALUE_LENGTH,
  encodeFlowspecNlri,
  encodeFlowspecNlriValue,
  decodeFlowspecNlriValue,
  readFlowspecNlriList,
  readFlowspecNlriValue,
  flowspecNlriKey,
  withLengthPrefix,
  writeNlriLength,
} from './nlri.js';
export {
  EXT_COMMUNITY,
  type FlowspecExtCommunity,
  readExtCommunity,
  writeExtCommunity,
  encodeExtCommunity,
  decodeExtCommunity,
  parseRedirectTarget,
} from './ext-communities.js';
export {
  type FlowspecRoute,
  type FlowspecEncodeError,
  type DecodedFlowspecRule,
  ruleToFlowspec,
  flowspecToRule,
  nlriToMatch,
  ruleIdForNlri,
  nlriHex,
} from './rule-codec.js';
export { formatFlowspecNlri, formatExtCommunity } from './format.js';
