// `./failsmall token create` + `./failsmall serve --sflow`: the real launcher in a child process,
// a stored token, the dashboard and API over HTTP, collector counters on the same /metrics, and a
// clean exit on SIGTERM.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'failsmall-serve-'));
let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(read: () => string, re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const m = re.exec(read());
    if (m) return m;
    if (Date.now() > until) throw new Error(`no ${re} within ${timeoutMs} ms in:\n${read()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('serves the API, dashboard and metrics (with live sFlow counters) for a stored token, and exits 0 on SIGTERM', { timeout: 120_000 }, async () => {
  const db = join(dir, 'serve.sqlite');
  const token = execFileSync(join(root, 'failsmall'), ['token', 'create', '--role', 'viewer', '--subject', 'vera', '--db', db], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  expect(token).toMatch(/^fs_[\w-]{20,}$/);

  child = spawn(join(root, 'failsmall'), ['serve', '--db', db, '--port', '0', '--sflow', '127.0.0.1:0', '--tick', '100'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child!.on('close', (code) => resolve(code)));
  const url = (await waitFor(() => out, /serving (http:\/\/127\.0\.0\.1:\d+)/, 90_000))[1]!;
  const udpPort = Number((await waitFor(() => out, /collecting sflow on UDP port (\d+)/, 5_000))[1]);

  const auth = { authorization: `Bearer ${token}` };
  expect(await (await fetch(`${url}/api/whoami`, { headers: auth })).json()).toEqual({ subject: 'vera', role: 'viewer' });
  expect((await fetch(`${url}/api/whoami`, { headers: { authorization: 'Bearer fs_wrong' } })).status).toBe(401);
  const fleet = (await (await fetch(`${url}/api/fleet`, { headers: auth })).json()) as { pops: Array<{ id: string }> };
  expect(fleet.pops).toHaveLength(8);
  const page = await fetch(`${url}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toMatch(/<div id="root">/);

  // A truncated datagram: counted as received and as a decode error, on the control plane's /metrics.
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.send(Buffer.from([0, 0, 0, 5, 0, 0]), udpPort, '127.0.0.1', () => resolve()));
  sock.close();
  let metrics = '';
  // received is counted on arrival, the decode error when the queue is drained: wait for both
  for (let i = 0; i < 50 && !(/failsmall_collector_datagrams_total\{[^}]*\} 1/.test(metrics) && /failsmall_collector_decode_errors_total\{[^}]*\} 1/.test(metrics)); i++) {
    metrics = await (await fetch(`${url}/metrics`)).text();
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(metrics).toMatch(/failsmall_collector_datagrams_total\{format="sflow",exporter="127\.0\.0\.1"\} 1/);
  expect(metrics).toMatch(/failsmall_collector_decode_errors_total\{format="sflow",exporter="127\.0\.0\.1",code="\w+"\} 1/);
  expect(metrics).toMatch(/failsmall_bgp_sessions\{state="established"\} 13/);

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});
