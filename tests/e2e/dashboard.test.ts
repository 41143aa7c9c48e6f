// The dashboard in a real browser (Debian's Chromium driven by playwright-core): it loads the
// fleet, runs the demo scenario from its button (attack, signature, proposed rule, rollout
// waves) and approves a wide-scope rollout as an approver. Screenshots: test-results/screenshots.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
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
  let browser: Browser;
  let url = '';
  let approverToken = '';
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
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    const server = await startServer(cp, { host: '127.0.0.1', port: 0, runDemo: () => runDemo(cp, { speed: 40, log: () => {}, autoApprove: false, sleep, approvalWaitMs: 60_000 }) });
    url = server.url;
    close = () => server.app.close();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
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
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${url}/?token=${approverToken}`);
    await page.getByTestId('live').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('pop').count(), { timeout: 15_000 }).toBe(8);
    await page.screenshot({ path: join(shots, '01-fleet.png'), fullPage: true });

    await page.getByTestId('run-demo').click();
    await page.getByTestId('attack').first().waitFor({ timeout: 30_000 });
    await page.getByTestId('attacks').getByText('proposed rule mit-atk-1').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('attack').first().innerText()).toMatch(/dns-amplification/);
    await page.locator('[data-testid="rollout"][data-state="completed"]').first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(shots, '02-attack-and-rollout.png'), fullPage: true });

    const approve = page.getByTestId('approve').first();
    await approve.waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(shots, '03-awaiting-approval.png'), fullPage: true });
    await approve.click();
    await expect.poll(async () => page.locator('[data-testid="rollout"][data-state="completed"]').count(), { timeout: 60_000 }).toBe(2);
    await page.screenshot({ path: join(shots, '04-approved-and-completed.png'), fullPage: true });
    expect(await page.getByTestId('audit').innerText()).toMatch(/e2e-approver\s+approve/);
  });
});
