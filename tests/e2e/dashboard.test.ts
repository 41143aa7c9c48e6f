// The dashboard in a real browser (Debian's Chromium driven by playwright-core): it loads the
// fleet, runs the demo scenario from its button (attack, signature, proposed rule, rollout
// waves) and approves a wide-scope rollout as an approver; the author of a wide rollout cannot
// approve it; a pasted rule is validated. Screenshots: test-results/screenshots.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlane } from '../../src/control-plane/control-plane.js';
import { runDemo } from '../../src/control-plane/demo.js';
import { startServer } from '../../src/control-plane/server.js';
import { loadDeviceModelsSync } from '../../src/fleet/io/device-model-files.js';
import { parseNetworkFile } from '../../src/fleet/network-file.js';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('../..', import.meta.url));
const shots = join(root, 'test-results', 'screenshots');
const dir = mkdtempSync(join(tmpdir(), 'failsmall-e2e-'));

describe.skipIf(!existsSync(CHROMIUM))('dashboard in Chromium', () => {
  let cp: ControlPlane;
  let browser: BrowserContext;
  let url = '';
  let approverToken = '';
  let viewerToken = '';
  let close: () => Promise<void>;

  beforeAll(async () => {
    execFileSync('bash', ['scripts/build-web.sh'], { cwd: root, stdio: 'ignore' });
    mkdirSync(shots, { recursive: true });
    cp = await ControlPlane.open({
      dbPath: join(dir, 'e2e.sqlite'),
      network: parseNetworkFile(readFileSync(join(root, 'tests/fixtures/network/example.yaml'), 'utf8')).network!,
      deviceModels: loadDeviceModelsSync(),
      seed: 1,
      startMs: Date.parse('2026-11-22T12:00:00Z'),
    });
    approverToken = await cp.issueToken('e2e-approver', 'approver');
    viewerToken = await cp.issueToken('e2e-viewer', 'viewer');
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    const server = await startServer(cp, { host: '127.0.0.1', port: 0, runDemo: () => runDemo(cp, { speed: 40, log: () => {}, autoApprove: false, sleep, approvalWaitMs: 60_000 }) });
    url = server.url;
    close = () => server.app.close();
    // A fresh profile directory per run (playwright passes it to Chromium as --user-data-dir).
    browser = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await close?.();
    await cp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the fleet, runs the demo scenario and approves the wide-scope rollout', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/?token=${approverToken}`);
    await page.getByTestId('live').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('pop').count(), { timeout: 15_000 }).toBe(8);
    await page.screenshot({ path: join(shots, '01-fleet.png'), fullPage: true });

    await page.getByTestId('run-demo').click();
    await page.getByTestId('attack').first().waitFor({ timeout: 30_000 });
    await page.getByTestId('attacks').getByText('proposed rule mit-atk-1').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('attack').first().innerText()).toMatch(/dns-amplification/);
    expect(await page.getByTestId('signature').first().innerText()).toMatch(/sport 53/);
    // The scoped rollout moves through its waves live: a wave baking, then all passed.
    await page.locator('[data-testid="rollout"] [data-testid="wave"][data-state="baking"]').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(shots, '02-rollout-baking.png'), fullPage: true });
    await page.locator('[data-testid="rollout"][data-state="completed"]').first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(shots, '02-attack-and-rollout-completed.png'), fullPage: true });

    const approve = page.getByTestId('approve').first();
    await approve.waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(shots, '03-awaiting-approval.png'), fullPage: true });
    await approve.click();
    await expect.poll(async () => page.locator('[data-testid="rollout"][data-state="completed"]').count(), { timeout: 60_000 }).toBe(2);
    await page.screenshot({ path: join(shots, '04-approved-and-completed.png'), fullPage: true });
    expect(await page.getByTestId('audit').innerText()).toMatch(/e2e-approver\s+approve/);
    await page.close();
  });

  it('does not let the author of a wide-scope rollout approve it (API and dashboard)', async () => {
    const headers = { authorization: `Bearer ${approverToken}`, 'content-type': 'application/json' };
    const text = 'rules:\n  - id: e2e-wide\n    match: { destination: 173.245.53.10/32, protocol: udp, source-port: 19 }\n    action: discard\n    scope: { pops: [ams1, fra1, lhr1, sjc1, iad1, sin1] }\n    expires: 2026-11-22T18:00:00Z\n';
    const created = await fetch(`${url}/api/rollouts`, { method: 'POST', headers, body: JSON.stringify({ text, reason: 'chargen guard everywhere' }) });
    const body = await created.text();
    expect(created.status, body).toBe(201);
    const rollout = JSON.parse(body) as { id: string; state: string; author: string };
    expect(rollout).toMatchObject({ state: 'awaiting-approval', author: 'e2e-approver' });
    const self = await fetch(`${url}/api/rollouts/${rollout.id}/approve`, { method: 'POST', headers, body: '{}' });
    expect(self.status).toBe(403);
    expect(((await self.json()) as { error: { code: string } }).error.code).toBe('api_approval_required');

    const page = await browser.newPage();
    await page.goto(`${url}/?token=${approverToken}`);
    const card = page.locator(`[data-rollout-id="${rollout.id}"]`);
    await card.waitFor({ timeout: 15_000 });
    await card.getByTestId('approve').click();
    await page.getByRole('alert').filter({ hasText: 'api_approval_required' }).waitFor({ timeout: 15_000 });
    expect(await card.getAttribute('data-state')).toBe('awaiting-approval');
    await page.screenshot({ path: join(shots, '05-self-approval-refused.png'), fullPage: true });
    await page.close();
  });

  it('validates a pasted rule, shows a PoP in detail, and gives a viewer no write buttons', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/?token=${viewerToken}`);
    await page.getByTestId('whoami').filter({ hasText: 'e2e-viewer (viewer)' }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('run-demo').count()).toBe(0);
    expect(await page.getByTestId('propose-rollout').count()).toBe(0);
    // The box starts with the 2013 rule as published.
    await page.getByTestId('validate').click();
    const result = page.getByTestId('rule-check-result');
    await result.getByText('rejected').waitFor({ timeout: 15_000 });
    expect(await result.innerText()).toMatch(/MTU is 4470/);
    await page.getByTestId('plan').click();
    await result.getByText('rejected: no plan').waitFor({ timeout: 15_000 });
    await page.getByTestId('pop').filter({ hasText: 'fra1' }).click();
    const detail = page.getByTestId('pop-detail');
    await detail.getByText('fra1-edge1').waitFor({ timeout: 15_000 });
    expect(await detail.innerText()).toMatch(/cisco ASR9000/);
    await page.screenshot({ path: join(shots, '06-rule-check-and-pop-detail.png'), fullPage: true });
    await page.close();
  });
});
