// `failsmall demo --exit-after-run`: the quick-start command end to end through the CLI.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';

const dir = mkdtempSync(join(tmpdir(), 'failsmall-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('runs the pipeline, prints the dashboard URL and every stage, and exits 0', async () => {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const code = await runCli(['demo', '--exit-after-run', '--port', '0', '--speed', '400', '--db', join(dir, 'demo.sqlite')]);
  vi.restoreAllMocks();
  expect(code).toBe(0);
  expect(out).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/\?token=fs_/);
  expect(out).toMatch(/the 2013 rule .* is rejected/);
  expect(out).toMatch(/MTU is 4470 bytes/);
  expect(out).toMatch(/detect: dns-amplification towards 173\.245\.53\.10\/32/);
  expect(out).toMatch(/profile: signature "dst 173\.245\.53\.10\/32 proto 17 sport 53/);
  expect(out).toMatch(/plan: rollout \S+ to fra1, ams1 .* canary fra1/);
  expect(out).toMatch(/rollout: \S+ completed/);
  expect(out).toMatch(/approved by demo-approver/);
});
