export { ARTIFACT_CODES } from './codes.js';
export { DEFAULT_DATA_FILE_LIMITS, type DataFileLimits, type FeatureFile, checkDataFile, featureFileSchema } from './check-data-file.js';
