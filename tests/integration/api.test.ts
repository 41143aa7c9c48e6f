// The HTTP API over a real control plane (SQLite file, simulated fleet, shipped device models).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlane } from '../../src/control-plane/control-plane.js';
import { startServer } from '../../src/control-plane/server.js';
import { loadDeviceModelsSync } from '../../src/fleet/io/device-model-files.js';
import { parseNetworkFile } from '../../src/fleet/network-file.js';

const fixture = (p: string): string => readFileSync(new URL(`../fixtures/${p}`, import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'failsmall-api-'));
let cp: ControlPlane;
let app: FastifyInstance;
const tok: Record<string, string> = {};
const auth = (who: string) => ({ authorization: `Bearer ${tok[who]}` });

beforeAll(async () => {
  cp = await ControlPlane.open({ dbPath: join(dir, 'api.sqlite'), network: parseNetworkFile(fixture('network/example.yaml')).network!, deviceModels: loadDeviceModelsSync(), seed: 1, startMs: Date.parse('2026-11-22T12:00:00Z') });
  for (const [who, role] of [['vic', 'viewer'], ['otto', 'operator'], ['olga', 'operator'], ['ada', 'approver']] as const) tok[who] = await cp.issueToken(who, role);
  app = (await startServer(cp, { host: '127.0.0.1', port: 0, runDemo: async () => undefined })).app;
});
afterAll(async () => {
  await app.close();
  await cp.close();
  rmSync(dir, { recursive: true, force: true });
});

const okRule = (pops: string, id = 'dns-ok') => `rules:\n  - id: ${id}\n    match: { destination: 173.245.53.10/32, protocol: udp, source-port: 53, packet-length: 512-4470 }\n    action: discard\n    scope: { pops: [${pops}] }\n    expires: 2026-11-22T14:00:00Z\n`;

describe('rules API', () => {
  it('rejects the 2013 rule with findings naming the MTU, for any signed-in role', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/rules/validate', headers: auth('vic'), payload: { text: fixture('rules/2013-dns-drop.junos') } });
    expect(r.statusCode).toBe(200);
    expect(r.json().accepted).toBe(false);
    expect(JSON.stringify(r.json().findings)).toMatch(/MTU is 4470/);
  });
  it('renders for a vendor', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/rules/render', headers: auth('vic'), payload: { text: okRule('ams1'), target: 'junos' } });
    expect(r.json().text).toMatch(/then discard/);
  });
});

describe('rollouts API', () => {
  it('refuses writes from a viewer and anonymous callers', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/rollouts', headers: auth('vic'), payload: { text: okRule('ams1'), reason: 'x' } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/rollouts', payload: { text: okRule('ams1'), reason: 'x' } })).statusCode).toBe(401);
  });

  it('returns 422 with findings for a rule validation rejects, 400 for a malformed body, and loses nothing stored', async () => {
    const good = await app.inject({ method: 'POST', url: '/api/rollouts', headers: auth('otto'), payload: { text: okRule('ams1, fra1'), reason: 'dns amplification' } });
    expect(good.statusCode).toBe(201);
    const bad = await app.inject({ method: 'POST', url: '/api/rollouts', headers: auth('otto'), payload: { text: fixture('rules/2013-dns-drop.yaml'), reason: 'copy of 2013' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.code).toBe('api_rejected');
    expect(bad.json().error.findings.length).toBeGreaterThan(0);
    const malformed = await app.inject({ method: 'POST', url: '/api/rollouts', headers: auth('otto'), payload: { text: '' } });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.findings.map((f: { component: string }) => f.component).sort()).toEqual(['body.reason', 'body.text']);
    const list = (await app.inject({ url: '/api/rollouts', headers: auth('vic') })).json().rollouts;
    expect(list.map((r: { id: string }) => r.id)).toEqual([good.json().id]);
  });

  it('runs a scoped rollout through canary and waves on the simulator', async () => {
    const id = (await app.inject({ url: '/api/rollouts', headers: auth('vic') })).json().rollouts[0].id as string;
    const started = await app.inject({ method: 'POST', url: `/api/rollouts/${id}/start`, headers: auth('otto'), payload: {} });
    expect(started.json().state).toBe('running');
    expect(started.json().waves[0].pops).toEqual(['fra1']);
    for (let i = 0; i < 8; i++) await cp.advance(10_000);
    const done = (await app.inject({ url: `/api/rollouts/${id}`, headers: auth('vic') })).json();
    expect(done.state).toBe('completed');
    expect(cp.sim.announcedAt('ams1')).toEqual(['dns-ok']);
    expect(cp.sim.announcedAt('lhr1')).toEqual([]); // scoped: never left the PoPs that need it
    expect((await app.inject({ method: 'POST', url: `/api/rollouts/${id}/resume`, headers: auth('otto'), payload: {} })).statusCode).toBe(409);
  });

  it('a wide-scope rollout needs an approver other than its author', async () => {
    const text = okRule('ams1, fra1, lhr1, sjc1, iad1, sin1', 'wide');
    const created = (await app.inject({ method: 'POST', url: '/api/rollouts', headers: auth('ada'), payload: { text, reason: 'guard everywhere' } })).json();
    expect(created.state).toBe('awaiting-approval');
    expect((await app.inject({ method: 'POST', url: `/api/rollouts/${created.id}/start`, headers: auth('ada'), payload: {} })).statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: `/api/rollouts/${created.id}/approve`, headers: auth('otto'), payload: {} })).statusCode).toBe(403); // operators cannot approve
    const self = await app.inject({ method: 'POST', url: `/api/rollouts/${created.id}/approve`, headers: auth('ada'), payload: {} });
    expect(self.statusCode).toBe(403);
    expect(self.json().error.code).toBe('api_approval_required');
    tok.ben = await cp.issueToken('ben', 'approver');
    const ok = await app.inject({ method: 'POST', url: `/api/rollouts/${created.id}/approve`, headers: auth('ben'), payload: {} });
    expect(ok.json()).toMatchObject({ state: 'planned', approvedBy: 'ben' });
  });

  it('kill switch withdraws everywhere and every write is in the audit log', async () => {
    const k = await app.inject({ method: 'POST', url: '/api/killswitch', headers: auth('olga'), payload: { kind: 'flowspec', reason: 'drill' } });
    expect(k.json().rolledBack.length).toBe(1);
    expect(cp.sim.announcedAt('ams1')).toEqual([]);
    const audit = (await app.inject({ url: '/api/audit', headers: auth('vic') })).json().entries as Array<{ actor: string; action: string }>;
    const pairs = audit.map((e) => `${e.actor}:${e.action}`);
    expect(pairs).toEqual(expect.arrayContaining(['otto:plan', 'otto:start', 'ben:approve', 'olga:killswitch', 'olga:rollback']));
  });

  it('serves OpenAPI for the routes and Prometheus metrics', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/rollouts', '/api/rollouts/{id}/approve', '/api/killswitch', '/api/fleet', '/api/attacks', '/api/rules/validate', '/api/audit']));
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/failsmall_rollouts\{phase="rolled-back"\} 1/);
    expect(metrics).toMatch(/failsmall_killswitch_total\{kind="flowspec"\} 1/);
  });
});
