export { AttackDetector, DEFAULT_DETECTOR_CONFIG, type DetectorConfig, type PrefixGroupThreshold } from './detector.js';
export { type ProfilerOptions, profileAttack } from './profiler.js';
export { type ProposeOptions, proposeRule } from './propose-rule.js';
export { AMPLIFICATION_PORTS, TRAFFIC_CLASSES, type TrafficClass, classifyFlow } from './traffic-class.js';
export type { Attack, AttackEvent, AttackType, Signature } from './types.js';
