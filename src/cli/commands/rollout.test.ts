// `failsmall rollout ...` and `failsmall killswitch` through runCli against a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { FailsmallStore } from '../../store/index.js';
import { runCliCaptured } from '../../../tests/support/run-cli.js';

const fixture = (p: string): string => fileURLToPath(new URL(`../../../tests/fixtures/rules/${p}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'failsmall-rollout-cli-'));
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
    expect(JSON.parse(killed.out).rolledBack).toEqual([id]);
    const store = await FailsmallStore.openSqlite(db);
    const actions = (await store.listAudit()).map((e) => `${e.actor}:${e.action}`);
    await store.close();
    expect(actions).toEqual(expect.arrayContaining(['ann:plan', 'ann:start', 'oncall:killswitch']));
  });
});
