export { type DriveOptions, type DriveResult, driveRollout } from './drive-rollout.js';
export { INCIDENT_NAMES, type IncidentName, type IncidentOptions, type IncidentReport, type IncidentRun, BAKE_MS, RULE_2013, proxyCpuShare, runIncident } from './incidents.js';
export { type GenerateNetworkOptions, generateNetwork, network2013, networkModernMx } from './networks.js';
