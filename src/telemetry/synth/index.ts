export { DEFAULT_CARPET_PREFIX, DEFAULT_VICTIM_HOST, type DefaultSynthOptions, defaultSynthConfig } from './default-config.js';
export { type SynthAttack, type SynthConfig, generateFlows } from './flow-synth.js';
export { type PacketShape, SCENARIO_NAMES, type ScenarioName, drawAttackPacket, drawBenignPacket } from './scenarios.js';
