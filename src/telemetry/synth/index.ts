export { DEFAULT_CARPET_PREFIX, DEFAULT_VICTIM_HOST, type DefaultSynthOptions, defaultSynthConfig } from './default-config.js';
export { type SynthAttack, type SynthConfig, generateFlows } from './flow-synth.js';
export { generatePackets } from './packet-synth.js';
export { packetToFlowRecord } from './packet-record.js';
export { type PacketShape, SCENARIO_NAMES, type ScenarioName, drawAttackPacket, drawBenignPacket } from './scenarios.js';
export { type AttackPlan, DEFAULT_DESTINATIONS, type DefaultTrafficOptions, type SynthPacket, TRAFFIC_SCENARIO_NAMES, type TrafficPlan, type TrafficScenarioName, defaultTrafficPlan } from './traffic-plan.js';
export { BENIGN_KINDS, BENIGN_SHARES, type BenignKind } from './traffic-units.js';
