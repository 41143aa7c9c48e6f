// `failsmall rollout ...` and `failsmall killswitch` through runCli against a real SQLite file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { FailsmallStore } from '../../store/index.js';
import { runCliCaptured } from '../../../tests/support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'failsmall-rollout-cli-'));
/** The fixture with its expiry moved to a day from now: these commands validate against the wall clock. */
const fixture = (p: string): string => {
  const path = fileURLToPath(new URL(`../../../tests/fixtures/rules/${p}`, import.meta.url));
  if (!p.endsWith('.yaml')) return path;
  const fresh = join(dir, `fresh-${p}`);
  writeFileSync(fresh, readFileSync(path, 'utf8').replace(/expires: \S+/g, `expires: ${new Date(Date.now() + 86_400_000).toISOString()}`));
  return fresh;
};
const db = join(dir, 'r.sqlite');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string }> {
  const r = await runCliCaptured([...argv, '--db', db]);
  return { code: r.code, out: r.stdout };
}

describe('failsmall rollout / killswitch', () => {
  it('plans, starts to completion, rejects the 2013 rule, kills and audits', async () => {
    const planned = await run('rollout', 'plan', fixture('dns-amplification-ok.yaml'), '--as', 'ann', '--json');
    expect(planned.code).toBe(0);
    const id = JSON.parse(planned.out).id as string;
    const started = await run('rollout', 'start', id, '--as', 'ann', '--json');
    expect(started.code).toBe(0);
    expect(JSON.parse(started.out).state).toBe('completed');
    expect((await run('rollout', 'plan', fixture('2013-dns-drop.junos'), '--as', 'ann')).code).toBe(1);
    expect((await run('rollout', 'resume', id, '--as', 'ann')).code).toBe(1);
    expect((await run('rollout', 'status', 'no-such-rollout')).code).toBe(2);
    const killed = await run('killswitch', '--kind', 'flowspec', '--reason', 'drill', '--as', 'oncall', '--json');
    expect(killed.code).toBe(0);
    expect(JSON.parse(killed.out)).toMatchObject({ kind: 'flowspec', rolledBack: [id], pending: [] });
    expect(JSON.parse((await run('rollout', 'status', id, '--json')).out).state).toBe('rolled-back');
    expect((await run('killswitch', '--kind', 'bgp')).code).toBe(2);
    expect((await run('rollout', 'status', '--target', 'routers')).code).toBe(2);
    const store = await FailsmallStore.openSqlite(db);
    const actions = (await store.listAudit()).map((e) => `${e.actor}:${e.action}`);
    await store.close();
    expect(actions).toEqual(expect.arrayContaining(['ann:plan', 'ann:start', 'oncall:killswitch']));
  });

  it('start plans and starts a rule file in one go; status --events prints the event log', async () => {
    const started = await run('rollout', 'start', fixture('dns-amplification-ok.yaml'), '--as', 'ann', '--json', '--bake', '10');
    expect(started.code).toBe(0);
    const view = JSON.parse(started.out);
    expect(view.state).toBe('completed');
    expect(view.bakeMs).toBe(10_000);
    const history = JSON.parse((await run('rollout', 'status', view.id, '--events', '--json')).out);
    expect(history.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['created', 'start', 'applied', 'health']));
    expect((await run('rollout', 'start', join(dir, 'missing.yaml'))).code).toBe(2); // not a file: taken as an id, which does not exist
    expect((await run('killswitch', '--kind', 'flowspec', '--as', 'oncall')).code).toBe(0); // the reason defaults
  });

  it('a wide change waits for a second person; pause, resume and rollback are recorded', async () => {
    // eu + na = 5 of the 8 example PoPs: more than half, so wide
    const wide = join(dir, 'wide.yaml');
    writeFileSync(wide, readFileSync(fixture('dns-amplification-ok.yaml'), 'utf8').replace('pops: [ams1, fra1]', 'regions: [eu, na]'));
    const planned = await run('rollout', 'plan', wide, '--as', 'ann', '--json');
    expect(planned.code).toBe(0);
    const id = JSON.parse(planned.out).id as string;
    expect(JSON.parse(planned.out).state).toBe('awaiting-approval');
    expect((await run('rollout', 'start', id, '--as', 'ann')).code).toBe(1);
    expect((await run('rollout', 'approve', id, '--as', 'ann')).code).toBe(1);
    expect((await run('rollout', 'approve', id, '--as', 'bob')).code).toBe(0);
    expect(JSON.parse((await run('rollout', 'start', id, '--as', 'ann', '--no-follow', '--json')).out).state).toBe('running');
    expect(JSON.parse((await run('rollout', 'pause', id, '--as', 'ann', '--json')).out).state).toBe('paused');
    expect((await run('rollout', 'pause', id, '--as', 'ann')).code).toBe(1);
    expect(JSON.parse((await run('rollout', 'resume', id, '--as', 'ann', '--json')).out).state).toBe('running');
    expect(JSON.parse((await run('rollout', 'rollback', id, '--as', 'carol', '--reason', 'wrong customer', '--json')).out).state).toBe('rolled-back');
    expect(JSON.parse((await run('rollout', 'status', id, '--json')).out).state).toBe('rolled-back');
    const store = await FailsmallStore.openSqlite(db);
    const approvals = await store.listApprovals(id);
    const audit = (await store.listAudit()).filter((e) => e.target === id).map((e) => `${e.actor}:${e.action}`);
    const events = (await store.rolloutEvents(id)).map((e) => e.type);
    await store.close();
    expect(approvals.map((a) => a.approver)).toEqual(['bob']);
    expect(audit.reverse()).toEqual(['ann:plan', 'bob:approve', 'ann:start', 'ann:pause', 'ann:resume', 'carol:rollback']);
    expect(events).toEqual(['created', 'approve', 'start', 'applied', 'pause', 'resume', 'rollback', 'reverted']);
  });
});
