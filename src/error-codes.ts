// Every stable error/finding code the project emits, by domain. tests/docs/errors-doc.test.ts
// keeps this list and docs/errors.md in step. Each domain exports its codes as an
// `as const` object; add it here.
import { API_CODES } from './api/api-error.js';
import { LIB_CODES } from './lib/codes.js';

export const ALL_CODE_GROUPS: Record<string, Record<string, string>> = {
  lib: LIB_CODES,
  api: API_CODES,
};
