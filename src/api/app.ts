// The HTTP API (fastify): OpenAPI from the same zod schemas that validate requests,
// token auth with roles, SSE live events, Prometheus /metrics and the dashboard's static files.
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { ApiError } from './api-error.js';
import type { TokenVerifier } from './auth.js';
import type { EventBus } from './event-bus.js';
import { defineRoute } from './route.js';

export interface ApiCore {
  readonly tokens: TokenVerifier;
  readonly events: EventBus;
  readonly metrics: Registry;
  /** Built dashboard (web/dist); served at / when present. */
  readonly webRoot?: string;
  readonly logger?: boolean;
}

/** A domain's routes: registered after the core routes. */
export type RegisterRoutes = (app: FastifyInstance, core: ApiCore) => void;

export async function buildApiServer(core: ApiCore, domains: readonly RegisterRoutes[]): Promise<FastifyInstance> {
  const app = Fastify({ logger: core.logger ?? false, bodyLimit: 8 * 1024 * 1024 });
  const hasWeb = core.webRoot !== undefined && existsSync(core.webRoot);
  // zod validates in defineRoute; fastify's own validation and response filtering are off so the
  // JSON schemas serve only the OpenAPI document.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'failsmall API', version: '0.1.0', description: 'DDoS mitigation control plane that fails small.' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
  });

  app.setErrorHandler((error: unknown, _request, reply) => {
    if (error instanceof ApiError) {
      return reply.code(error.statusCode).send({ error: { code: error.code, message: error.message, findings: error.findings } });
    }
    const fe = error as { statusCode?: number; message?: string; code?: string };
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      // fastify's own 4xx (malformed JSON, body too large, unsupported media type)
      return reply.code(fe.statusCode).send({ error: { code: 'api_bad_request', message: fe.message ?? 'bad request', findings: [] } });
    }
    app.log.error(error);
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error; see the server log' } });
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/') || !hasWeb) {
      return reply.code(404).send({ error: { code: 'api_not_found', message: `no route ${request.method} ${request.url}` } });
    }
    // SPA fallback for the dashboard's client-side routes
    return reply.sendFile('index.html');
  });

  defineRoute(app, core.tokens, {
    method: 'GET',
    url: '/api/health',
    role: 'public',
    summary: 'Liveness of the control plane',
    tags: ['system'],
    response: z.object({ status: z.literal('ok'), uptimeSec: z.number() }),
    handler: () => ({ status: 'ok' as const, uptimeSec: Math.round(process.uptime()) }),
  });

  defineRoute(app, core.tokens, {
    method: 'GET',
    url: '/api/whoami',
    role: 'viewer',
    summary: 'The caller and its role',
    tags: ['system'],
    response: z.object({ subject: z.string(), role: z.string() }),
    handler: ({ principal }) => principal,
  });

  defineRoute(app, core.tokens, {
    method: 'GET',
    url: '/api/events/recent',
    role: 'viewer',
    summary: 'Recent live events (the SSE stream backlog)',
    tags: ['system'],
    query: z.object({ type: z.string().optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    handler: ({ query }) => ({ events: core.events.recent(query.type, query.limit) }),
  });

  // Server-sent events: every bus event, with replay from Last-Event-ID.
  defineRoute(app, core.tokens, {
    method: 'GET',
    url: '/api/events',
    role: 'viewer',
    summary: 'Live event stream (text/event-stream); pass ?token= from a browser EventSource',
    tags: ['system'],
    handler: ({ request, reply }) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write(': connected\n\n'); // flush headers so the client sees the stream open
      const send = (e: { id: number; type: string; atMs: number; data: unknown }): void => {
        res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify({ atMs: e.atMs, data: e.data })}\n\n`);
      };
      const last = Number(request.headers['last-event-id'] ?? 0);
      for (const e of core.events.since(Number.isFinite(last) ? last : 0)) send(e);
      const unsubscribe = core.events.subscribe(send);
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      request.raw.on('close', () => {
        clearInterval(ping);
        unsubscribe();
      });
    },
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', core.metrics.contentType);
    return core.metrics.metrics();
  });

  for (const register of domains) register(app, core);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (hasWeb && core.webRoot) {
    await app.register(fastifyStatic, { root: core.webRoot, prefix: '/', wildcard: false });
  }
  return app;
}
