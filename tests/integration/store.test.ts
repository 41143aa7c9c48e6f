// One behaviour suite for both stores: SQLite always, PostgreSQL on a throwaway cluster.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkDescription } from '../../src/fleet/network.js';
import { initialRolloutState, planRollout, stepRollout } from '../../src/rollout/index.js';
import { FailsmallStore } from '../../src/store/index.js';
import { type TempPostgres, startTempPostgres } from '../support/postgres.js';

const network: NetworkDescription = { name: 't', ownedPrefixes: [], mtuBytes: 1500, pops: [{ id: 'p1', region: 'eu', anycastPrefixes: [], routers: [] }, { id: 'p2', region: 'eu', anycastPrefixes: [], routers: [] }] };
const plan = planRollout({ kind: 'flowspec', add: [{ id: 'r1', family: 'ipv4', match: { destination: '192.0.2.1/32' }, action: { kind: 'discard' }, scope: { kind: 'pops', pops: ['p1'] }, provenance: {} }], withdraw: [] }, network, { id: 'ro-1', author: 'ann', nowMs: 1000 });

function storeSuite(name: string, open: () => Promise<FailsmallStore>): void {
  describe(`store: ${name}`, () => {
    let store: FailsmallStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('records rollout state with an append-only event log', async () => {
      const s0 = initialRolloutState(plan);
      await store.recordRollout(s0, { type: 'created', atMs: 1000 });
      const r = stepRollout(s0, { type: 'start', by: 'ann', atMs: 2000 });
      await store.recordRollout(r.state, { type: 'start', by: 'ann', atMs: 2000 });
      expect((await store.getRollout('ro-1'))?.phase).toBe('running');
      expect((await store.listRollouts({ phases: ['running'] })).map((s) => s.plan.id)).toEqual(['ro-1']);
      expect((await store.rolloutEvents('ro-1')).map((e) => e.type)).toEqual(['created', 'start']);
      await expect(store.db.deleteFrom('rollout_events').execute()).rejects.toThrow(/append-only/);
    });

    it('refuses a write based on a stale read (two writers, one rollout)', async () => {
      const read = (await store.getRollout('ro-1'))!;
      const paused = stepRollout(read, { type: 'pause', by: 'ann', atMs: 2500 });
      const aborted = stepRollout(read, { type: 'abort', by: 'bob', atMs: 2600 });
      await store.recordRollout(paused.state, { type: 'pause', by: 'ann', atMs: 2500 }, read);
      await expect(store.recordRollout(aborted.state, { type: 'abort', by: 'bob', atMs: 2600 }, read)).rejects.toThrow(/another writer/);
      expect((await store.getRollout('ro-1'))?.phase).toBe('paused');
      expect((await store.rolloutEvents('ro-1')).map((e) => e.type)).toEqual(['created', 'start', 'pause']);
      const resumed = stepRollout(paused.state, { type: 'resume', by: 'ann', atMs: 2700 });
      await store.recordRollout(resumed.state, { type: 'resume', by: 'ann', atMs: 2700 }, (await store.getRollout('ro-1'))!);
      expect((await store.getRollout('ro-1'))?.phase).toBe('running');
    });

    it('keeps approvals as append-only rows written with the approve event, and lists without a limit', async () => {
      const widePlan = { ...plan, id: 'ro-wide', wide: true, createdMs: 900 };
      const s0 = initialRolloutState(widePlan);
      expect(s0.phase).toBe('awaiting-approval');
      await store.recordRollout(s0, { type: 'created', atMs: 900 });
      const self = stepRollout(s0, { type: 'approve', by: 'ann', atMs: 950 });
      expect(self.error?.code).toBe('rollout_self_approval');
      const ok = stepRollout(s0, { type: 'approve', by: 'bob', atMs: 1000 });
      await store.recordRollout(ok.state, { type: 'approve', by: 'bob', atMs: 1000 });
      expect(await store.listApprovals('ro-wide')).toEqual([{ rolloutId: 'ro-wide', approver: 'bob', atMs: 1000, reason: widePlan.title }]);
      expect(await store.listApprovals('ro-1')).toEqual([]);
      await expect(store.db.deleteFrom('approvals').execute()).rejects.toThrow(/append-only/);
      expect((await store.listRollouts({ limit: Number.POSITIVE_INFINITY })).map((x) => x.plan.id)).toEqual(['ro-1', 'ro-wide']);
      expect((await store.listRollouts({ limit: 1 })).map((x) => x.plan.id)).toEqual(['ro-1']);
    });

    it('keeps the audit log append-only in the database itself', async () => {
      await store.appendAudit({ atMs: 5, actor: 'ann', action: 'start', target: 'ro-1', reason: 'dns attack', diff: { scope: ['p1'] } });
      const [e] = await store.listAudit();
      expect(e).toMatchObject({ actor: 'ann', action: 'start', diff: { scope: ['p1'] } });
      await expect(store.db.updateTable('audit_log').set({ actor: 'mallory' }).execute()).rejects.toThrow(/append-only/);
      await expect(store.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
      expect((await store.listAudit())[0]?.actor).toBe('ann');
    });

    it('stores token hashes with roles and attacks', async () => {
      await store.putToken('ab'.repeat(32), 'ann', 'approver', 1);
      expect(await store.findToken('ab'.repeat(32))).toEqual({ subject: 'ann', role: 'approver' });
      expect(await store.findToken('cd'.repeat(32))).toBeUndefined();
      await store.upsertAttack('a1', { id: 'a1', peakPps: 1 }, 1);
      await store.upsertAttack('a1', { id: 'a1', peakPps: 2 }, 2);
      expect(await store.listAttacks()).toEqual([{ id: 'a1', peakPps: 2 }]);
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'failsmall-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
storeSuite('sqlite', () => FailsmallStore.openSqlite(join(dir, 'test.sqlite')));

describe('store: postgres', async () => {
  const pgOrSkip = await startTempPostgres().catch((e: Error) => ({ skip: `could not start PostgreSQL: ${e.message}` }));
  if ('skip' in pgOrSkip) {
    it.skip(`postgres suite skipped: ${pgOrSkip.skip}`, () => {});
    return;
  }
  const pgServer: TempPostgres = pgOrSkip;
  afterAll(() => pgServer.stop());
  storeSuite('postgres', () => FailsmallStore.openPostgres(pgServer.url));

  it('runs the control plane on PostgreSQL: a scoped rollout completes and survives a restart', async () => {
    const { ControlPlane } = await import('../../src/control-plane/control-plane.js');
    const { loadDeviceModelsSync } = await import('../../src/fleet/io/device-model-files.js');
    const { parseNetworkFile } = await import('../../src/fleet/network-file.js');
    const { readFileSync } = await import('node:fs');
    const net = parseNetworkFile(readFileSync(new URL('../fixtures/network/example.yaml', import.meta.url), 'utf8')).network!;
    const pgMod = await import('pg');
    const admin = new pgMod.default.Client({ connectionString: pgServer.url });
    await admin.connect();
    await admin.query('create database control_plane');
    await admin.end();
    const opts = { dbPath: pgServer.url.replace(/\/postgres$/, '/control_plane'), network: net, deviceModels: loadDeviceModelsSync(), seed: 1, startMs: Date.parse('2026-11-22T12:00:00Z') };
    const cp = await ControlPlane.open(opts);
    const rule = { id: 'pg-dns', family: 'ipv4' as const, match: { destination: '173.245.53.10/32', protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: 53, max: 53 }] }, action: { kind: 'discard' as const }, scope: { kind: 'pops' as const, pops: ['ams1', 'fra1'] }, expiresAt: '2026-11-22T14:00:00Z', provenance: {} };
    const s = await cp.proposeRollout({ artifact: { kind: 'flowspec', add: [rule], withdraw: [] }, author: 'ann', reason: 'pg' });
    await cp.executor.start(s.plan.id, 'ann');
    for (let i = 0; i < 8; i++) await cp.advance(10_000);
    expect((await cp.executor.get(s.plan.id)).phase).toBe('completed');
    await cp.close();
    const again = await ControlPlane.open(opts); // a second node / a restart: the fleet is rebuilt from the store
    expect(again.sim.announcedAt('ams1')).toEqual(['pg-dns']);
    await again.close();
  });
});
