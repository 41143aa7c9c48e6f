// The fleet domain: network description, device models, the simulator and the network generator.
// (The nftables agent is imported through ./agent/index.js; file loaders live in ./io/.)
export type { NetworkDescription, Pop, Router, Vendor } from './network.js';
export type { Advisory, AdvisoryTrigger, DeviceCapabilities, DeviceLimits, DeviceModel, VersionRange } from './device-model.js';
export type { Artifact, EnforcementTarget, PopHealth, RouterHealth } from './enforcement.js';
export { parseNetworkFile } from './network-file.js';
export { FLEET_CODES, type FleetCode, FleetError } from './codes.js';
export * from './device-models/index.js';
export * from './simulator/index.js';
export { GenerateNetworkError, type GenerateNetworkOptions, type RouterMixEntry, generateNetwork } from './generate-network.js';
