import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApiServer } from './app.js';
import { hashToken, staticTokenVerifier } from './auth.js';
import { EventBus } from './event-bus.js';
import { defineRoute } from './route.js';

let app: FastifyInstance;
const bus = new EventBus(() => 1000, 3);
const tokens = staticTokenVerifier([
  { tokenHash: hashToken('v-token'), principal: { subject: 'vera', role: 'viewer' } },
  { tokenHash: hashToken('o-token'), principal: { subject: 'otto', role: 'operator' } },
]);
const stored: string[] = [];

beforeAll(async () => {
  app = await buildApiServer({ tokens, events: bus, metrics: new Registry() }, [
    (a) =>
      defineRoute(a, tokens, {
        method: 'POST',
        url: '/api/things',
        role: 'operator',
        summary: 'store a thing',
        tags: ['test'],
        body: z.object({ name: z.string().min(1), size: z.number().int().max(10) }),
        status: 201,
        handler: ({ body }) => {
          stored.push(body.name);
          return { stored: stored.length };
        },
      }),
  ]);
});
afterAll(() => app.close());

describe('API core', () => {
  it('serves health without a token and rejects a missing or unknown token', async () => {
    expect((await app.inject({ url: '/api/health' })).json().status).toBe('ok');
    const noToken = await app.inject({ url: '/api/whoami' });
    expect(noToken.statusCode).toBe(401);
    expect(noToken.json().error.code).toBe('api_unauthorized');
    expect((await app.inject({ url: '/api/whoami', headers: { authorization: 'Bearer nope' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/whoami', headers: { authorization: 'Bearer v-token' } })).json()).toEqual({ subject: 'vera', role: 'viewer' });
  });

  it('forbids writes to a viewer and validates bodies into findings without losing stored data', async () => {
    const asViewer = await app.inject({ method: 'POST', url: '/api/things', headers: { authorization: 'Bearer v-token' }, payload: { name: 'a', size: 1 } });
    expect(asViewer.statusCode).toBe(403);
    const ok = await app.inject({ method: 'POST', url: '/api/things', headers: { authorization: 'Bearer o-token' }, payload: { name: 'a', size: 1 } });
    expect(ok.statusCode).toBe(201);
    const bad = await app.inject({ method: 'POST', url: '/api/things', headers: { authorization: 'Bearer o-token' }, payload: { name: '', size: 99 } });
    expect(bad.statusCode).toBe(400);
    const findings = bad.json().error.findings as Array<{ component: string; code: string }>;
    expect(findings.map((f) => f.component).sort()).toEqual(['body.name', 'body.size']);
    const malformed = await app.inject({ method: 'POST', url: '/api/things', headers: { authorization: 'Bearer o-token', 'content-type': 'application/json' }, payload: '{"name":' });
    expect(malformed.statusCode).toBe(400);
    expect(stored).toEqual(['a']);
  });

  it('documents routes in OpenAPI and serves metrics and a bounded event backlog', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(doc.paths['/api/things'].post.requestBody.content['application/json'].schema.properties.size.maximum).toBe(10);
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) bus.publish('tick', { i });
    const recent = (await app.inject({ url: '/api/events/recent', headers: { authorization: 'Bearer v-token' } })).json().events;
    expect(recent.map((e: { data: { i: number } }) => e.data.i)).toEqual([2, 3, 4]);
    expect((await app.inject({ url: '/api/nope' })).statusCode).toBe(404);
  });
});
