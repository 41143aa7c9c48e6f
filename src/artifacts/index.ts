// Checks for generated data files, and the one entry point every change kind is checked through.
export { ARTIFACT_CODES } from './codes.js';
export { type ArtifactCheckContext, checkArtifact, passesChecks } from './check-artifact.js';
export { DEFAULT_DATA_FILE_LIMITS, type DataFileLimits, type FeatureFile, type ParsedDataFile, checkDataFile, featureFileSchema, parseDataFile } from './check-data-file.js';
