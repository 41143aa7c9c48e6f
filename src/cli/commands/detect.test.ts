// `failsmall synth | detect | replay` end to end through runCli with the real detector,
// profiler, validator and classifier.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCliCaptured } from '../../../tests/support/run-cli.js';

const NETWORK = fileURLToPath(new URL('../../../tests/fixtures/network/example.yaml', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'failsmall-detect-cli-'));
afterEach(() => vi.restoreAllMocks());
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (...argv: string[]) => runCliCaptured(argv);

describe('failsmall synth / detect / replay', () => {
  const traffic = join(tmp, 'ntp.jsonl');

  it('synth writes the same records for the same seed', async () => {
    expect((await run('synth', '--scenario', 'ntp-amplification', '--seed', '9', '--duration', '30s', '--out', traffic)).code).toBe(0);
    const again = join(tmp, 'again.jsonl');
    await run('synth', '--scenario', 'ntp-amplification', '--seed', '9', '--duration', '30s', '--out', again);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(traffic, 'utf8'));
  });

  it('detect finds the attack and proposes a rule that validates against the network', async () => {
    const r = await run('detect', traffic, '--network', NETWORK, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.attacks).toHaveLength(1);
    expect(out.attacks[0].attack.type).toBe('ntp-amplification');
    expect(out.attacks[0].rule.match.sourcePorts).toEqual([{ min: 123, max: 123 }]);
    expect(out.attacks[0].findings.filter((f: { severity: string }) => f.severity === 'error')).toEqual([]);
  });

  it('replay reports what a rule matches, attack against legitimate, per PoP', async () => {
    const rules = join(tmp, 'rules.yaml');
    writeFileSync(rules, 'rules:\n  - id: ntp\n    match: { destination: 173.245.53.10/32, protocol: udp, source-port: 123 }\n    action: discard\n    scope: { pops: [ams1, fra1] }\n    expires: 2026-11-23T00:00:00Z\n');
    const r = await run('replay', '--rules', rules, traffic, '--json');
    expect(r.code).toBe(0);
    const rule = JSON.parse(r.stdout).rules[0];
    expect(rule.attackPackets).toBeGreaterThan(0);
    expect(rule.legitPackets).toBe(0);
    expect(Object.keys(rule.byPop).sort()).toEqual(['ams1', 'fra1']);
  });

  it('bad input: unknown scenario and missing file exit 2, a corrupt line is skipped and counted', async () => {
    expect((await run('detect', 'synth:nonsense')).code).toBe(2);
    expect((await run('detect', join(tmp, 'missing.jsonl'))).code).toBe(2);
    const corrupt = join(tmp, 'corrupt.jsonl');
    writeFileSync(corrupt, `${readFileSync(traffic, 'utf8').split('\n').slice(0, 50).join('\n')}\n{not json\n`);
    const r = await run('detect', corrupt, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).badLines).toEqual([51]);
  });
});
