// Codes produced when parsing device-model files (data/device-models/*.yaml).
export const DEVICE_MODEL_CODES = {
  device_model_file_syntax: 'a device-model file is not well-formed YAML',
  device_model_invalid: 'a device-model field is missing, unknown or has the wrong type or value (the message names the path)',
  device_model_duplicate_id: 'two device-model profiles share an id',
} as const;

export type DeviceModelCode = keyof typeof DEVICE_MODEL_CODES;
