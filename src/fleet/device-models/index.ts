// Device models: parse the shipped YAML profiles, find a router's profile, order OS versions,
// and test rules against advisory triggers. Pure; file loading is in ../io/device-model-files.ts.
export { DEVICE_MODEL_CODES, type DeviceModelCode } from './codes.js';
export { compareVersions, formatVersionRange, versionInRange } from './compare-versions.js';
export { findDeviceModel } from './find-device-model.js';
export { findTriggeredAdvisories, ruleMatchesTrigger } from './advisory-trigger.js';
export { findDuplicateIds, parseDeviceModels } from './parse-device-models.js';
