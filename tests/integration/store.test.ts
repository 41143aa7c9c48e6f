// One behaviour suite for both stores: SQLite always, PostgreSQL on a throwaway cluster.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkDescription } from '../../src/fleet/network.js';
import { ManualClock } from '../../src/lib/clock.js';
import { RolloutExecutor, initialRolloutState, planRollout, replayRollout, stepRollout } from '../../src/rollout/index.js';
import { FailsmallStore, StoreError } from '../../src/store/index.js';
import { MemoryFleet } from '../support/memory-fleet.js';
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
      const stale = await store.recordRollout(aborted.state, { type: 'abort', by: 'bob', atMs: 2600 }, read).catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(StoreError);
      expect((stale as StoreError).code).toBe('store_stale_write');
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
      await expect(store.db.deleteFrom('audit_log').execute()).rejects.toThrow(/store_append_only: audit_log is append-only/);
      expect((await store.listAudit())[0]?.actor).toBe('ann');
    });

    it('writes a step, its audit entries and extra entries in one transaction, or nothing', async () => {
      const before = (await store.rolloutEvents('ro-1')).length;
      const auditsBefore = (await store.listAudit(10_000)).length;
      const read = (await store.getRollout('ro-1'))!;
      const paused = stepRollout(read, { type: 'pause', by: 'ann', atMs: 3000 });
      const audit = { atMs: 3000, actor: 'ann', action: 'pause', target: 'ro-1', reason: 'look', diff: { phase: ['running', 'paused'] } };
      // based on a stale read: nothing at all is written, not even the audit entries
      await expect(store.recordRollouts([{ state: paused.state, event: { type: 'pause', by: 'ann', atMs: 3000 }, prev: { ...read, updatedMs: -1 }, audits: [audit] }], [{ ...audit, action: 'extra' }])).rejects.toThrow(StoreError);
      expect((await store.rolloutEvents('ro-1')).length).toBe(before);
      expect((await store.listAudit(10_000)).length).toBe(auditsBefore);
      await store.recordRollouts([{ state: paused.state, event: { type: 'pause', by: 'ann', atMs: 3000 }, prev: read, audits: [audit] }], [{ ...audit, action: 'extra', target: 'x' }]);
      expect((await store.listAudit(2, { target: 'ro-1' }))[0]).toMatchObject({ action: 'pause', diff: { phase: ['running', 'paused'] } });
      expect((await store.listAudit(10, { target: 'x' })).map((e) => e.action)).toEqual(['extra']);
      expect((await store.listAudit(10_000, { actor: 'ann' })).length).toBeGreaterThan(1);
      const events = await store.rolloutEvents('ro-1');
      expect(replayRollout(plan, events).state).toEqual(await store.getRollout('ro-1'));
    });

    it('stores token hashes with roles, revokes them, and keeps attacks, signatures and proposed changes', async () => {
      await store.putToken('ab'.repeat(32), 'ann', 'approver', 1);
      await store.putToken('ef'.repeat(32), 'bob', 'viewer', 2);
      expect(await store.findToken('ab'.repeat(32))).toEqual({ subject: 'ann', role: 'approver' });
      expect(await store.findToken('cd'.repeat(32))).toBeUndefined();
      expect(await store.revokeToken('ef'.repeat(32), 3)).toBe(true);
      expect(await store.revokeToken('ef'.repeat(32), 4)).toBe(false);
      expect(await store.findToken('ef'.repeat(32))).toBeUndefined();
      expect(await store.listTokens()).toEqual([
        { tokenHash: 'ab'.repeat(32), subject: 'ann', role: 'approver', createdMs: 1 },
        { tokenHash: 'ef'.repeat(32), subject: 'bob', role: 'viewer', createdMs: 2, revokedMs: 3 },
      ]);
      await store.upsertSignature('sig-1', 'a1', { summary: 'udp/53 > 512 B' }, 5);
      await store.upsertSignature('sig-1', 'a1', { summary: 'udp/53 > 1024 B' }, 6);
      await store.upsertSignature('sig-2', 'a2', { summary: 'syn' }, 7);
      expect(await store.listSignatures({ attackId: 'a1' })).toEqual([{ id: 'sig-1', attackId: 'a1', signature: { summary: 'udp/53 > 1024 B' }, updatedMs: 6 }]);
      expect((await store.listSignatures()).map((x) => x.id)).toEqual(['sig-2', 'sig-1']);
      const change = { kind: 'flowspec' as const, add: plan.artifact.kind === 'flowspec' ? plan.artifact.add : [], withdraw: [] };
      await store.putArtifact({ id: 'chg-1', artifact: change, author: 'ann', reason: 'dns', createdMs: 8, findings: [{ code: 'x', severity: 'warning', message: 'm' }] });
      await store.putArtifact({ id: 'chg-2', artifact: { kind: 'waf-regex', rules: [{ id: 'w', pattern: 'a+' }] }, author: 'bob', reason: 'sqli', createdMs: 9, findings: [] });
      expect(await store.getArtifact('chg-1')).toEqual({ id: 'chg-1', artifact: change, author: 'ann', reason: 'dns', createdMs: 8, findings: [{ code: 'x', severity: 'warning', message: 'm' }] });
      expect((await store.listArtifacts()).map((a) => a.id)).toEqual(['chg-2', 'chg-1']);
      expect((await store.listArtifacts({ kind: 'waf-regex' })).map((a) => a.id)).toEqual(['chg-2']);
      await expect(store.putArtifact({ id: 'chg-1', artifact: change, author: 'mallory', reason: '', createdMs: 10, findings: [] })).rejects.toThrow();
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

  it('refuses TRUNCATE of the append-only tables', async () => {
    const store = await FailsmallStore.openPostgres(pgServer.url);
    try {
      const { sql } = await import('kysely');
      await expect(sql`truncate audit_log`.execute(store.db)).rejects.toThrow(/store_append_only/);
    } finally {
      await store.close();
    }
  });

  it('two control-plane nodes over one PostgreSQL store never apply a wave twice', async () => {
    const pgMod = await import('pg');
    const admin = new pgMod.default.Client({ connectionString: pgServer.url });
    await admin.connect();
    await admin.query('create database two_nodes');
    await admin.end();
    const url = pgServer.url.replace(/\/postgres$/, '/two_nodes');
    const storeA = await FailsmallStore.openPostgres(url);
    const storeB = await FailsmallStore.openPostgres(url);
    const net: NetworkDescription = { name: 'n', ownedPrefixes: [], mtuBytes: 1500, pops: ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((id, i) => ({ id, region: 'eu', anycastPrefixes: [], capacityBps: (i + 1) * 1e9, routers: [] })) };
    const fleet = new MemoryFleet(net.pops.map((p) => p.id));
    const clock = new ManualClock(0);
    const a = new RolloutExecutor(storeA, fleet, clock);
    const b = new RolloutExecutor(storeB, fleet, clock);
    try {
      const art = { kind: 'flowspec' as const, add: [{ id: 'r2', family: 'ipv4' as const, match: { destination: '192.0.2.9/32' }, action: { kind: 'discard' as const }, scope: { kind: 'pops' as const, pops: ['p0', 'p1', 'p2'] }, provenance: {} }], withdraw: [] };
      await a.create(await a.planChange(art, net, { id: 'two', author: 'ann', nowMs: 0, bakeMs: 100 }));
      await a.start('two', 'ann');
      for (let i = 0; i < 6; i++) {
        clock.advance(100);
        await Promise.all([a.tick(), b.tick()]);
      }
      expect((await b.get('two')).phase).toBe('completed');
      expect(fleet.log.filter((l) => l.startsWith('apply')).sort()).toEqual(['apply p0', 'apply p1', 'apply p2']);
      const events = await storeA.rolloutEvents('two');
      expect(replayRollout((await a.get('two')).plan, events).state).toEqual(await a.get('two'));
      expect(events.filter((e) => e.type === 'health').length).toBe(3); // two waves out, then complete: one node each time
    } finally {
      await storeA.close();
      await storeB.close();
    }
  });

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
