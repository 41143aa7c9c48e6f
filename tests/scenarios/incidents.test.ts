// The incidents replayed through the simulator: blast radius and timings, both ways.
import { beforeAll, describe, expect, it } from 'vitest';
import type { DeviceModel } from '../../src/fleet/device-model.js';
import { loadDeviceModelsSync } from '../../src/fleet/io/device-model-files.js';
import { BAKE_MS, type IncidentReport, runIncident } from '../../src/scenarios/index.js';

let models: DeviceModel[];
beforeAll(() => {
  models = loadDeviceModelsSync();
});
const run = (name: Parameters<typeof runIncident>[0]): IncidentReport => runIncident(name, { seed: 1, deviceModels: models });

describe('2013 Flowspec incident', () => {
  it('as it happened: every PoP impacted, routers that did not reboot stay down, traffic fails everywhere', () => {
    const [asItWas] = run('2013-flowspec').runs;
    expect(asItWas.popsImpacted).toHaveLength(23);
    expect(asItWas.peakFailingShare).toBe(1);
    expect(asItWas.routersDead).toBeGreaterThan(0);
    expect(asItWas.routersCrashed).toBeGreaterThan(46); // crash loops: routers that came back crashed again
    // the cascade: PoPs whose routers came back took the anycast traffic of the dead ones and fell over
    expect(asItWas.popsCollapsed.length).toBeGreaterThan(0);
    expect(asItWas.timeToDetectionMs).toBeLessThan(asItWas.timeToRollbackMs!);
  });
  it('with failsmall: the rule never leaves validation, naming the MTU and the device advisory', () => {
    const [, fs] = run('2013-flowspec').runs;
    expect(fs.heldAt).toBe('validation');
    expect(fs.popsImpacted).toEqual([]);
    expect(fs.peakFailingShare).toBe(0);
    expect(fs.routersCrashed).toBe(0);
    const codes = fs.findings.filter((f) => f.severity === 'error').map((f) => f.code);
    expect(codes).toContain('validate_device_advisory');
    expect(fs.findings.map((f) => f.message).join(' ')).toMatch(/MTU is 4470/);
  });
});

describe('a defect the device models do not know', () => {
  it('as it happened: pushed everywhere, every PoP goes down', () => {
    const [asItWas] = run('canary-hidden-defect').runs;
    expect(asItWas.popsImpacted).toHaveLength(12);
    expect(asItWas.peakFailingShare).toBeGreaterThan(0.9);
  });
  it('with failsmall: validation passes, only the canary PoP is touched and rollback is automatic within the bake', () => {
    const [, fs] = run('canary-hidden-defect').runs;
    expect(fs.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(fs.heldAt).toBe('canary');
    expect(fs.popsImpacted).toHaveLength(1);
    expect(fs.popsCollapsed).toEqual([]);
    expect(fs.timeToDetectionMs).toBeLessThanOrEqual(fs.timeToRollbackMs!);
    expect(fs.timeToRollbackMs).toBeLessThanOrEqual(5 * 60_000);
    expect(fs.routersDead).toBe(0);
    expect(fs.peakFailingShare).toBeLessThan(0.01); // its traffic moved to neighbours with room
  });
});

describe('2019 WAF regex and 2025 feature file', () => {
  it('as it happened: errors at every PoP; with failsmall: held by the checks', { timeout: 60_000 }, () => {
    const reports = { waf: run('2019-waf-regex'), file: run('2025-feature-file') };
    for (const report of Object.values(reports)) {
      const [asItWas, fs] = report.runs;
      expect(asItWas.popsImpacted).toHaveLength(asItWas.popsTotal);
      expect(asItWas.peakFailingShare).toBeGreaterThan(0.5);
      expect(asItWas.timeToRollbackMs).toBeGreaterThan(asItWas.timeToDetectionMs!);
      expect(fs.heldAt).toBe('validation');
      expect(fs.popsImpacted).toEqual([]);
      expect(fs.peakFailingShare).toBe(0);
    }
    expect(reports.waf.runs[1].findings.map((f) => f.code)).toContain('waf_regex_superlinear');
    expect(reports.file.runs[1].findings.map((f) => f.code)).toEqual(expect.arrayContaining(['data_file_feature_limit', 'data_file_growth']));
  });
});

describe('non-Flowspec changes take the same staged path', () => {
  it('a feature file that slipped past its check breaks only the canary proxy and is rolled back by the HTTP gate', async () => {
    const { FleetSimulation } = await import('../../src/fleet/simulator/index.js');
    const { planRollout } = await import('../../src/rollout/index.js');
    const { driveRollout, networkModernMx } = await import('../../src/scenarios/index.js');
    const network = networkModernMx();
    const start = Date.parse('2026-01-01T00:00:00Z');
    const sim = new FleetSimulation(network, models, { seed: 1, startMs: start, featureLimit: 200 });
    const content = JSON.stringify({ version: 'v9', features: Array.from({ length: 240 }, (_, i) => ({ name: `f${i}`, weight: 1 })) });
    const plan = planRollout({ kind: 'data-file', name: 'bot-features.json', version: 'v9', content }, network, { id: 'df', author: 'pipeline', nowMs: start, bakeMs: 5 * 60_000 });
    const r = driveRollout(sim, plan, { startMs: start, approver: 'duty-manager' });
    expect(r.state.phase).toBe('rolled-back');
    expect(r.state.gateFailures.map((g) => g.gate)).toContain('http-error-rate-below');
    expect(sim.summary().popsImpacted).toEqual([plan.waves[0]![0]]);
    expect(sim.popHealth(plan.waves[0]![0]!).httpErrorRate).toBe(0); // restored after the revert
  });
});

describe('defence in depth: the checks skipped, the canary and gates alone', () => {
  it('each bad change reaches only the canary PoP and is rolled back within the bake', { timeout: 90_000 }, () => {
    for (const name of ['2013-flowspec', '2019-waf-regex', '2025-feature-file'] as const) {
      const [asItWas, fs] = runIncident(name, { seed: 1, deviceModels: models, skipChecks: true }).runs;
      expect(fs.findings.some((f) => f.severity === 'error'), name).toBe(true); // the checks did object
      expect(fs.heldAt, name).toBe('canary');
      expect(fs.popsImpacted, name).toHaveLength(1);
      expect(fs.timeToRollbackMs!, name).toBeLessThanOrEqual(BAKE_MS);
      expect(fs.peakFailingShare, name).toBeLessThan(asItWas.peakFailingShare / 5);
      expect(asItWas.popsImpacted.length, name).toBe(asItWas.popsTotal);
    }
  });
});
