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
import type { FlowRecord } from '../../src/telemetry/flow-record.js';
import { defaultSynthConfig, generateFlows } from '../../src/telemetry/synth/index.js';

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

describe('fleet, attacks and signatures API', () => {
  it('shows one PoP with its routers, and 404s an unknown one', async () => {
    const r = await app.inject({ url: '/api/fleet/ams1', headers: auth('vic') });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ id: 'ams1', status: 'ok', installedRuleIds: [] });
    expect(r.json().routerModels.map((m: { id: string }) => m.id)).toEqual(['ams1-edge1', 'ams1-edge2']);
    const missing = await app.inject({ url: '/api/fleet/nowhere', headers: auth('vic') });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('api_not_found');
  });

  it('proposes a rule for a detected attack (operator only, audited) and lists its signature', async () => {
    const flows = generateFlows(defaultSynthConfig('dns-amplification', { seed: 5, startMs: cp.clock.nowMs(), durationMs: 12_000, attackOffsetMs: 1_000, attackPops: ['ams1', 'fra1'] }));
    const all: FlowRecord[] = [...flows];
    for (let t = 0; t < 12_000; t += 250) {
      await cp.advance(250);
      cp.ingest(all.filter((f) => f.timestampMs > cp.clock.nowMs() - 250 && f.timestampMs <= cp.clock.nowMs()));
    }
    const attacks = (await app.inject({ url: '/api/attacks', headers: auth('vic') })).json().attacks as Array<{ id: string; type: string; series: unknown[] }>;
    expect(attacks.map((a) => a.type)).toEqual(['dns-amplification']);
    expect(attacks[0]!.series.length).toBeGreaterThan(3);
    const id = attacks[0]!.id;
    expect((await app.inject({ method: 'POST', url: '/api/rules/propose', headers: auth('vic'), payload: { attackId: id } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/rules/propose', headers: auth('otto'), payload: { attackId: 'atk-999' } })).statusCode).toBe(404);
    const badBody = await app.inject({ method: 'POST', url: '/api/rules/propose', headers: auth('otto'), payload: { attack: id } });
    expect(badBody.statusCode).toBe(400);
    expect(badBody.json().error.findings[0].component).toBe('body.attackId');
    const proposed = await app.inject({ method: 'POST', url: '/api/rules/propose', headers: auth('otto'), payload: { attackId: id } });
    expect(proposed.statusCode).toBe(200);
    expect(proposed.json().rule).toMatchObject({ id: `mit-${id}`, action: { kind: 'discard' } });
    expect(proposed.json().findings.filter((f: { severity: string }) => f.severity === 'error')).toEqual([]);
    const sigs = (await app.inject({ url: '/api/signatures', headers: auth('vic') })).json().signatures;
    expect(sigs).toMatchObject([{ attackId: id, ruleId: `mit-${id}`, errors: 0 }]);
    expect(sigs[0].coverage).toBeGreaterThan(0.9);
    const audit = (await app.inject({ url: '/api/audit', headers: auth('vic') })).json().entries;
    expect(audit[0]).toMatchObject({ actor: 'otto', action: 'propose-rule', target: `mit-${id}` });
  });
});

describe('rollouts API', () => {
  it('plans without storing anything (dry run), and says why a rejected change has no plan', async () => {
    const plan = await app.inject({ method: 'POST', url: '/api/rollouts/plan', headers: auth('vic'), payload: { text: okRule('ams1, fra1, lhr1'), reason: 'what if' } });
    expect(plan.statusCode).toBe(200);
    expect(plan.json()).toMatchObject({ accepted: true, plan: { scopePops: expect.arrayContaining(['ams1', 'fra1', 'lhr1']), wide: false } });
    expect(plan.json().plan.waves[0]).toHaveLength(1);
    const rejected = await app.inject({ method: 'POST', url: '/api/rollouts/plan', headers: auth('vic'), payload: { text: fixture('rules/2013-dns-drop.yaml'), reason: 'what if' } });
    expect(rejected.json().accepted).toBe(false);
    expect(rejected.json().plan).toBeUndefined();
    expect(JSON.stringify(rejected.json().findings)).toMatch(/MTU/);
    expect((await app.inject({ url: '/api/rollouts', headers: auth('vic') })).json().rollouts).toEqual([]);
  });

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

  it('runs an incident scenario for an operator (audited) and refuses a second demo while one runs', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/scenarios/2013-flowspec/run', headers: auth('vic'), payload: {} })).statusCode).toBe(403);
    const bad = await app.inject({ method: 'POST', url: '/api/scenarios/1999-y2k/run', headers: auth('otto'), payload: {} });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.findings[0].component).toBe('params.name');
    const r = await app.inject({ method: 'POST', url: '/api/scenarios/2013-flowspec/run', headers: auth('otto'), payload: {} });
    expect(r.statusCode).toBe(202);
    expect(r.json().runs.map((x: { mode: string }) => x.mode)).toEqual(['as-it-happened', 'with-failsmall']);
    expect(r.json().runs[1].heldAt).toBe('validation');
    expect((await app.inject({ url: '/api/audit?limit=1', headers: auth('vic') })).json().entries[0]).toMatchObject({ actor: 'otto', action: 'run-scenario', target: '2013-flowspec' });
    cp.demoRunning = true;
    try {
      const busy = await app.inject({ method: 'POST', url: '/api/scenarios/demo/run', headers: auth('otto'), payload: {} });
      expect(busy.statusCode).toBe(409);
      expect(busy.json().error.code).toBe('api_conflict');
    } finally {
      cp.demoRunning = false;
    }
  });

  it('adds an audit entry for every accepted write and none for a refused one', async () => {
    const count = async (): Promise<number> => (await app.inject({ url: '/api/audit?limit=1000', headers: auth('vic') })).json().entries.length;
    const before = await count();
    const created = (await app.inject({ method: 'POST', url: '/api/rollouts', headers: auth('otto'), payload: { text: okRule('sjc1', 'audit-me'), reason: 'audit check' } })).json();
    expect(await count()).toBe(before + 1);
    await app.inject({ method: 'POST', url: `/api/rollouts/${created.id}/start`, headers: auth('otto'), payload: {} });
    expect(await count()).toBeGreaterThanOrEqual(before + 2);
    const afterStart = await count();
    await app.inject({ method: 'POST', url: `/api/rollouts/${created.id}/pause`, headers: auth('otto'), payload: { reason: 'look first' } });
    expect(await count()).toBe(afterStart + 1);
    await app.inject({ method: 'POST', url: `/api/rollouts/${created.id}/abort`, headers: auth('otto'), payload: { reason: 'not needed' } });
    const afterAbort = await count();
    expect(afterAbort).toBeGreaterThan(afterStart + 1);
    const refused = [
      await app.inject({ method: 'POST', url: `/api/rollouts/${created.id}/resume`, headers: auth('otto'), payload: {} }), // aborted: 409
      await app.inject({ method: 'POST', url: `/api/rollouts/${created.id}/pause`, headers: auth('vic'), payload: {} }), // viewer: 403
      await app.inject({ method: 'POST', url: '/api/rollouts', headers: auth('otto'), payload: { text: okRule('sjc1', 'x'), reason: 42 } }), // 400
    ];
    expect(refused.map((r) => r.statusCode)).toEqual([409, 403, 400]);
    expect(await count()).toBe(afterAbort);
  });

  it('serves OpenAPI for the routes and Prometheus metrics', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/rollouts', '/api/rollouts/plan', '/api/rollouts/{id}/approve', '/api/rollouts/{id}/rollback', '/api/killswitch', '/api/fleet', '/api/fleet/{popId}', '/api/attacks', '/api/signatures', '/api/rules/validate', '/api/rules/render', '/api/rules/propose', '/api/audit', '/api/scenarios/{name}/run']),
    );
    expect(doc.paths['/api/rollouts'].post.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['text', 'reason']));
    expect(doc.paths['/api/rollouts/{id}/approve'].post.security).toEqual([{ bearerAuth: [] }]);
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/failsmall_rollouts\{phase="rolled-back"\} 1/);
    expect(metrics).toMatch(/failsmall_gate_evaluations_total\{gate="no-crash"\} [1-9]/);
    expect(metrics).toMatch(/failsmall_attacks_started_total\{type="dns-amplification"\} 1/);
    expect(metrics).toMatch(/failsmall_killswitch_total\{kind="flowspec"\} 1/);
  });
});
