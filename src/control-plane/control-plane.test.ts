// The control plane's composition over a real SQLite file, the shipped device models and the
// example network: detection -> proposal survives a restart; ids never collide with stored ones.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDeviceModelsSync } from '../fleet/io/device-model-files.js';
import { parseNetworkFile } from '../fleet/network-file.js';
import type { FlowRecord } from '../telemetry/flow-record.js';
import { defaultSynthConfig, generateFlows } from '../telemetry/synth/index.js';
import { ControlPlane, DemoBusy } from './control-plane.js';
import { runDemo } from './demo.js';

const dir = mkdtempSync(join(tmpdir(), 'failsmall-cp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = Date.parse('2026-11-22T12:00:00Z');
const network = parseNetworkFile(readFileSync(new URL('../../tests/fixtures/network/example.yaml', import.meta.url), 'utf8')).network!;
const deviceModels = loadDeviceModelsSync();
const open = (file: string, startMs = T0) => ControlPlane.open({ dbPath: join(dir, file), network, deviceModels, seed: 1, startMs });

/** Feed a DNS amplification at ams1/fra1 in simulated time until the detector raises it. */
async function detectAttack(cp: ControlPlane, seed: number): Promise<string> {
  const flows = generateFlows(defaultSynthConfig('dns-amplification', { seed, startMs: cp.clock.nowMs(), durationMs: 30_000, attackOffsetMs: 2_000, attackDurationMs: 25_000, attackPops: ['ams1', 'fra1'] }));
  let pending: FlowRecord | undefined;
  for (let i = 0; i < 100; i++) {
    await cp.advance(250);
    const batch: FlowRecord[] = [];
    for (let f = pending ?? flows.next().value; f; f = flows.next().value) {
      if (f.timestampMs > cp.clock.nowMs()) {
        pending = f;
        break;
      }
      batch.push(f);
    }
    cp.ingest(batch);
    const active = cp.detector.activeAttacks()[0];
    if (active && i > 20) return cp.attackIdOf(active.id)!;
  }
  throw new Error('no attack detected');
}

describe('ControlPlane', () => {
  it('keeps attacks with their signature and rule across a restart and numbers new ones after them', async () => {
    const cp = await open('restart.sqlite');
    const id = await detectAttack(cp, 3);
    expect(id).toBe('atk-1');
    const rec = cp.proposeForAttack(id)!;
    expect(rec.rule!.id).toBe('mit-atk-1');
    expect(rec.findings!.filter((f) => f.severity === 'error')).toEqual([]);
    await cp.close();

    const again = await open('restart.sqlite', T0 + 3600_000);
    const stored = again.attackViews();
    expect(stored.map((a) => [a.id, a.state, a.proposedRule?.id, a.signature?.summary])).toEqual([['atk-1', 'ended', 'mit-atk-1', rec.signature!.summary]]);
    expect(again.proposeForAttack('atk-1')).toBeUndefined(); // no samples after a restart
    const next = await detectAttack(again, 4);
    expect(next).toBe('atk-2');
    expect(again.attackViews().map((a) => a.id).sort()).toEqual(['atk-1', 'atk-2']);
    await again.close();
  });

  it('counts gate evaluations per gate and PoP while a rollout bakes, and serialises advance()', async () => {
    const cp = await open('gates.sqlite');
    const rule = { id: 'r1', family: 'ipv4' as const, match: { destination: '173.245.53.10/32', protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: 53, max: 53 }] }, action: { kind: 'discard' as const }, scope: { kind: 'pops' as const, pops: ['ams1', 'fra1'] }, expiresAt: new Date(T0 + 3600_000).toISOString(), provenance: { origin: 'api' as const, author: 'otto', reason: 'test' } };
    const s = await cp.proposeRollout({ artifact: { kind: 'flowspec', add: [rule], withdraw: [] }, author: 'otto', reason: 'test', bakeMs: 10_000 });
    await cp.executor.start(s.plan.id, 'otto');
    // Ticks issued together run one after another: simulated time ends exactly 60 s later.
    await Promise.all(Array.from({ length: 6 }, () => cp.advance(10_000)));
    expect(cp.clock.nowMs()).toBe(T0 + 60_000);
    expect((await cp.executor.get(s.plan.id)).phase).toBe('completed');
    const evals = (await cp.metrics.gateEvaluations.get()).values;
    const noCrash = evals.find((v) => v.labels.gate === 'no-crash')?.value ?? 0;
    expect(noCrash).toBeGreaterThanOrEqual(2); // canary alone, then canary + wave 1
    expect(new Set(evals.map((v) => v.labels.gate))).toEqual(new Set(s.plan.gates.map((g) => g.kind)));
    await cp.close();
  });

  it('runs one demo at a time', async () => {
    const cp = await open('demo-busy.sqlite');
    const sleep = (): Promise<void> => Promise.resolve();
    const first = runDemo(cp, { speed: 1e9, log: () => {}, autoApprove: true, sleep });
    await expect(runDemo(cp, { speed: 1e9, log: () => {}, autoApprove: true, sleep })).rejects.toBeInstanceOf(DemoBusy);
    const outcome = await first;
    expect(outcome).toMatchObject({ rejected2013: true, rolloutPhase: 'completed', wideRolloutPhase: 'completed' });
    expect(cp.demoRunning).toBe(false);
    await cp.close();
  });
});
