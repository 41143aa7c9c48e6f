// `./failsmall demo --exit-after-run`: the quick-start command end to end, through the real
// launcher in a child process (npm deps check, dashboard build, server, pipeline, exit code).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'failsmall-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runFailsmall(args: readonly string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, 'failsmall'), args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`failsmall ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

it('runs the pipeline, prints the dashboard URL first and every stage as it happens, and exits 0', { timeout: 180_000 }, async () => {
  const r = await runFailsmall(['demo', '--exit-after-run', '--port', '0', '--speed', '400', '--db', join(dir, 'var', 'demo.sqlite')], 170_000);
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.split('\n');
  const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
  const order = [
    /^Dashboard: http:\/\/127\.0\.0\.1:\d+\/\?token=fs_/,
    /tokens \(shown once\): approver fs_\S+ +operator fs_\S+ +viewer fs_/,
    /^Simulated time runs 400x faster than wall time/,
    /the 2013 rule .* is rejected/,
    /validate_packet_length_unreachable: .*MTU is 4470 bytes/,
    /detect: dns-amplification towards 173\.245\.53\.10\/32 at ams1, fra1/,
    /profile: signature "dst 173\.245\.53\.10\/32 proto 17 sport 53\b[^"]*" covers 9\d\.\d% of the attack/,
    /validate: proposed rule mit-atk-1 has 0 error\(s\)/,
    /plan: rollout \S+ to fra1, ams1 \(of 8 PoPs\); canary fra1, 2 wave\(s\), bake 30 s each/,
    /rollout: canary \(fra1\) applied/,
    /gates: canary passed its 30 s bake \(fra1 2\/2 routers up, rule on 2\/2/,
    /rollout: wave 1 \(ams1\) applied/,
    /rollout: \S+ completed; the rule is installed at ams1, fra1$/,
    /plan: wide-scope rollout \S+ \(8 PoPs in \d+ waves\) is awaiting-approval: an approver other than demo-operator/,
    /approve: \S+ approved by demo-approver/,
    /rollout: \S+ completed; the rule is installed at (\w+\d, ){7}\w+\d$/,
    /^Done: attack atk-1, rollout \S+ completed, wide-scope rollout completed\.$/,
  ].map((re) => [re, at(re)] as const);
  expect(order.filter(([, i]) => i < 0).map(([re]) => String(re))).toEqual([]);
  const positions = order.map(([, i]) => i);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
});

it('exits 2 with a usage error for a bad --speed', { timeout: 60_000 }, async () => {
  const r = await runFailsmall(['demo', '--no-serve', '--speed', '-1', '--db', join(dir, 'var', 'bad.sqlite')], 50_000);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/--speed must be a number above 0/);
});
