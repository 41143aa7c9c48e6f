export { type DriveOptions, type DriveResult, driveRollout } from './drive-rollout.js';
export { INCIDENT_NAMES, type IncidentName, type IncidentOptions, type IncidentReport, type IncidentRun, RULE_2013, runIncident } from './incidents.js';
export { type GenerateNetworkOptions, generateNetwork, network2013, networkModernMx } from './networks.js';
