// Detection: FlowRecords -> attacks (AttackDetector), attack samples -> signature (profileAttack),
// signature -> proposed MitigationRule (proposeRule). Pure: time comes from records and nowMs.
export { AttackDetector, type AttackSamples, type ClassThresholds, DEFAULT_DETECTOR_CONFIG, type DetectorConfig, type DetectorStats, type PrefixGroupThreshold } from './detector.js';
export { type ProfilerOptions, profileAttack } from './profiler.js';
export { type ProposeOptions, proposeRule } from './propose-rule.js';
export { AMPLIFICATION_PORTS, TRAFFIC_CLASSES, type TrafficClass, attackTypeOfClass, classifyFlow } from './traffic-class.js';
export type { Attack, AttackEvent, AttackType, Signature } from './types.js';
