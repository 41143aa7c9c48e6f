// Every stable error/finding code the project emits, by domain. tests/docs/errors-doc.test.ts
// keeps this list and docs/errors.md in step. Each domain exports its codes as an
// `as const` object; add it here.
import { API_CODES } from './api/api-error.js';
import { ARTIFACT_CODES } from './artifacts/codes.js';
import { ROLLOUT_CODES } from './rollout/codes.js';
import { STORE_CODES } from './store/codes.js';
import { WAF_CODES } from './waf/codes.js';
import { AGENT_CODES } from './fleet/agent/codes.js';
import { TELEMETRY_CODES } from './telemetry/codes.js';
import { LIB_CODES } from './lib/codes.js';
import { BGP_CODES } from './bgp/codes.js';
import { FLOWSPEC_CODES } from './flowspec/codes.js';
import { RULES_VALIDATE_CODES } from './rules/validate/codes.js';
import { DEVICE_MODEL_CODES } from './fleet/device-models/codes.js';
import { RULE_CODES } from './rules/codes.js';
import { NETWORK_CODES } from './fleet/network-codes.js';
import { FLEET_CODES } from './fleet/codes.js';

export const ALL_CODE_GROUPS: Record<string, Record<string, string>> = {
  lib: LIB_CODES,
  api: API_CODES,
  rollout: ROLLOUT_CODES,
  store: STORE_CODES,
  waf: WAF_CODES,
  artifacts: ARTIFACT_CODES,
  agent: AGENT_CODES,
  telemetry: TELEMETRY_CODES,
  bgp: BGP_CODES,
  flowspec: FLOWSPEC_CODES,
  'rules/validate': RULES_VALIDATE_CODES,
  'fleet/device-models': DEVICE_MODEL_CODES,
  rules: RULE_CODES,
  'fleet/network': NETWORK_CODES,
  fleet: FLEET_CODES,
};
