// Errors the API maps to HTTP status codes at the edge (STYLE: errors kind 3 / kind 2 as data).
import type { Finding } from '../rules/model.js';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly findings: readonly Finding[] = [],
  ) {
    super(message);
  }
}

export const API_CODES = {
  api_bad_request: 'request body, query or path failed schema validation (findings list each problem)',
  api_unauthorized: 'missing or unknown API token',
  api_forbidden: "the token's role does not allow this operation",
  api_not_found: 'no such resource',
  api_conflict: 'the resource is not in a state that allows this operation',
  api_rejected: 'the change was rejected by validation (findings list why)',
  api_approval_required: 'wide-scope change needs an approver other than its author',
} as const;
