// `failsmall simulate` end to end through runCli with the shipped device models.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCliCaptured } from '../../../tests/support/run-cli.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('failsmall simulate', () => {
  it('replays the 2013 incident both ways as JSON', async () => {
    const r = await runCliCaptured(['simulate', '2013-flowspec', '--json', '--seed', '3']);
    expect(r.code, r.stderr).toBe(0);
    const [report] = JSON.parse(r.stdout) as Array<{ name: string; runs: Array<{ mode: string; popsImpacted: string[]; popsTotal: number; heldAt?: string; routersDead: number }> }>;
    expect(report!.name).toBe('2013-flowspec');
    const [asItWas, fs] = report!.runs;
    expect(asItWas!.mode).toBe('as-it-happened');
    expect(asItWas!.popsImpacted).toHaveLength(23);
    expect(asItWas!.routersDead).toBeGreaterThan(0);
    expect(fs!.heldAt).toBe('validation');
    expect(fs!.popsImpacted).toEqual([]);
  });

  it('prints the hidden-defect canary run for people', async () => {
    const r = await runCliCaptured(['simulate', 'canary-hidden-defect']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/with-failsmall:\n\s+PoPs impacted\s+1\/12/);
    expect(r.stdout).toMatch(/held at\s+canary/);
  });

  it('--skip-checks sends the doubled feature file through the staged rollout: the canary catches it', async () => {
    const r = await runCliCaptured(['simulate', '2025-feature-file', '--skip-checks', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [report] = JSON.parse(r.stdout) as Array<{ runs: Array<{ heldAt?: string; popsImpacted: string[] }> }>;
    expect(report!.runs[1]!.heldAt).toBe('canary');
    expect(report!.runs[1]!.popsImpacted).toHaveLength(1);
  });

  it('rejects an unknown incident or seed as a usage error (exit 2)', async () => {
    expect((await runCliCaptured(['simulate', '2016-dyn'])).code).toBe(2);
    expect((await runCliCaptured(['simulate', '2013-flowspec', '--seed', 'x'])).code).toBe(2);
  });
});
