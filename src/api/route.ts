// One way to declare an API route: zod schemas validate the request (every problem becomes a
// Finding in a 400) and also feed the OpenAPI document, so docs and checks cannot drift.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Finding } from '../rules/model.js';
import { ApiError } from './api-error.js';
import { type Principal, type Role, parseBearer, roleAllows } from './auth.js';
import type { TokenVerifier } from './auth.js';

export interface RouteContext<B, Q, P> {
  readonly body: B;
  readonly query: Q;
  readonly params: P;
  /** The caller; `anonymous` viewer on public routes without a token. */
  readonly principal: Principal;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

export interface RouteSpec<B, Q, P> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  readonly url: string;
  /** Minimum role; 'public' needs no token. */
  readonly role: Role | 'public';
  readonly summary: string;
  readonly tags: readonly string[];
  readonly body?: z.ZodType<B>;
  readonly query?: z.ZodType<Q>;
  readonly params?: z.ZodType<P>;
  /** Documented 2xx response shape. */
  readonly response?: z.ZodType;
  readonly status?: number;
  readonly handler: (ctx: RouteContext<B, Q, P>) => unknown | Promise<unknown>;
}

export function zodIssuesToFindings(where: string, error: z.ZodError): Finding[] {
  return error.issues.map((i) => ({
    code: 'api_bad_request',
    severity: 'error' as const,
    component: [where, ...i.path.map(String)].join('.'),
    message: `${[where, ...i.path.map(String)].join('.')}: ${i.message}`,
    expected: 'expected' in i ? i.expected : undefined,
    actual: 'input' in i ? (i as { input?: unknown }).input : undefined,
  }));
}

function toJsonSchema(s: z.ZodType): Record<string, unknown> {
  const js = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete js.$schema;
  return js;
}

function parsePart<T>(where: string, schema: z.ZodType<T> | undefined, value: unknown, findings: Finding[]): T {
  if (!schema) return value as T;
  const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!r.success) {
    findings.push(...zodIssuesToFindings(where, r.error));
    return undefined as T;
  }
  return r.data;
}

export function defineRoute<B = unknown, Q = unknown, P = unknown>(app: FastifyInstance, tokens: TokenVerifier, spec: RouteSpec<B, Q, P>): void {
  const schema: Record<string, unknown> = { summary: spec.summary, tags: [...spec.tags] };
  if (spec.body) schema.body = toJsonSchema(spec.body);
  if (spec.query) schema.querystring = toJsonSchema(spec.query);
  if (spec.params) schema.params = toJsonSchema(spec.params);
  if (spec.response) schema.response = { [spec.status ?? 200]: toJsonSchema(spec.response) };
  if (spec.role !== 'public') schema.security = [{ bearerAuth: [] }];
  app.route({
    method: spec.method,
    url: spec.url,
    schema,
    handler: async (request, reply) => {
      const principal = await authenticate(tokens, request, spec.role);
      const findings: Finding[] = [];
      const params = parsePart('params', spec.params, request.params, findings);
      const query = parsePart('query', spec.query, request.query, findings);
      const body = parsePart('body', spec.body, request.body, findings);
      if (findings.length > 0) throw new ApiError(400, 'api_bad_request', findings.map((f) => f.message).join('; '), findings);
      const result = await spec.handler({ body, query, params, principal, request, reply });
      if (reply.sent) return reply;
      reply.code(spec.status ?? 200);
      return result ?? {};
    },
  });
}

async function authenticate(tokens: TokenVerifier, request: FastifyRequest, need: Role | 'public'): Promise<Principal> {
  const token = parseBearer(request.headers.authorization) ?? (typeof (request.query as Record<string, unknown>)?.token === 'string' ? String((request.query as Record<string, unknown>).token) : undefined);
  const principal = token ? await tokens.verify(token) : undefined;
  if (need === 'public') return principal ?? { subject: 'anonymous', role: 'viewer' };
  if (!principal) throw new ApiError(401, 'api_unauthorized', token ? 'unknown API token' : 'missing API token: send "Authorization: Bearer <token>"');
  if (!roleAllows(principal.role, need)) {
    throw new ApiError(403, 'api_forbidden', `role "${principal.role}" may not do this; it needs "${need}"`);
  }
  return principal;
}
