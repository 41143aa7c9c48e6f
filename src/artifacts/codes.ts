// Codes produced by src/artifacts.
export const ARTIFACT_CODES = {
  data_file_schema: 'the generated data file does not match its schema',
  data_file_feature_limit: "the file has more features than the consumer's hard limit",
  data_file_size_limit: "the file is larger than the consumer's hard size limit",
  data_file_growth: 'the file grew more than the allowed ratio over the shipped version (a doubling is held)',
  data_file_shrink: 'the file lost more than the allowed share of its features since the shipped version (warning)',
  data_file_duplicate_feature: 'a feature name appears more than once (the generating query returned duplicate rows)',
  data_file_previous_unreadable: 'the shipped version does not parse, so growth could not be measured (warning)',
} as const;
