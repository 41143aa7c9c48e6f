// `failsmall rule ...` end to end through runCli (the same entry ./failsmall uses), with the
// real fixtures, the real validator and the shipped device models; output is captured.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { parseNativeRules } from '../../rules/index.js';
import { runCliCaptured } from '../../../tests/support/run-cli.js';

const fixture = (rel: string): string => fileURLToPath(new URL(`../../../tests/fixtures/${rel}`, import.meta.url));
const NETWORK = fixture('network/example.yaml');
const NOW = '2026-11-28T00:00:00Z';
const tmp = mkdtempSync(join(tmpdir(), 'failsmall-rule-cli-'));

afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const run = (...argv: string[]) => runCliCaptured(argv);

describe('failsmall rule validate', () => {
  it.each(['rules/2013-dns-drop.junos', 'rules/2013-dns-drop.yaml', 'rules/2013-dns-drop-32.junos'])('rejects the 2013 rule (%s) naming the MTU: exit 1', async (file) => {
    const r = await run('rule', 'validate', fixture(file), '--network', NETWORK, '--now', NOW);
    expect(r.code).toBe(1);
    const lengthLine = r.stdout.split('\n').find((l) => l.startsWith('error ') && l.includes('match.packetLengths') && l.includes('4470'));
    expect(lengthLine, r.stdout).toBeDefined();
    expect(lengthLine).toContain('rule=173.245.53.');
    expect(r.stdout).toMatch(/^rejected: 1 rule\(s\) parsed/m);
  });

  it('accepts the DNS amplification rule: exit 0', async () => {
    const r = await run('rule', 'validate', fixture('rules/dns-amplification-ok.yaml'), '--network', NETWORK, '--now', NOW);
    expect(r.stdout).not.toMatch(/^error /m);
    expect(r.stdout).toMatch(/^ok: 1 rule\(s\) parsed from .*dns-amplification-ok\.yaml \(native\), 0 error\(s\)/m);
    expect(r.code).toBe(0);
  });

  it('prints parse findings with file:line:column and exits 1', async () => {
    const file = fixture('rules/invalid-fields.yaml');
    const r = await run('rule', 'validate', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`error rule_field_unknown rule=typo-in-field rules[0].match.protocl at ${file}:6:7: unknown field "protocl"`);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('error '))).toHaveLength(5);
  });

  it('--json prints the findings and rules as data', async () => {
    const r = await run('rule', 'validate', fixture('rules/2013-dns-drop.junos'), '--network', NETWORK, '--now', NOW, '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; format: string; rules: Array<{ id: string }>; findings: Array<{ severity: string; component?: string }> };
    expect(out.ok).toBe(false);
    expect(out.format).toBe('junos');
    expect(out.rules.map((x) => x.id)).toEqual(['173.245.53.0/24-DNS-DROP']);
    expect(out.findings.some((f) => f.severity === 'error' && f.component === 'match.packetLengths')).toBe(true);
  });

  it('an approval lets a global rule past the approval check', async () => {
    const file = join(tmp, 'global-ok.yaml');
    writeFileSync(file, 'rules:\n  - id: g1\n    match: {destination: 173.245.58.12/32, protocol: udp, source-port: 53}\n    action: discard\n    scope: global\n    expires: 2026-11-29T00:00:00Z\n    provenance: {author: alice}\n');
    const without = await run('rule', 'validate', file, '--network', NETWORK, '--now', NOW, '--json');
    const withApproval = await run('rule', 'validate', file, '--network', NETWORK, '--now', NOW, '--approve', 'g1=bob', '--json');
    const errors = (text: string): string[] => (JSON.parse(text) as { findings: Array<{ severity: string; code: string }> }).findings.filter((f) => f.severity === 'error').map((f) => f.code);
    expect(errors(without.stdout).length).toBeGreaterThan(errors(withApproval.stdout).length);
  });

  it.each([
    [['rule', 'validate', '/nonexistent/rules.yaml'], /cannot read rule file/],
    [['rule', 'validate', fixture('rules/dns-amplification-ok.yaml'), '--network', '/nonexistent/net.yaml'], /cannot read network description/],
    [['rule', 'validate', fixture('rules/dns-amplification-ok.yaml'), '--network', fixture('rules/dns-amplification-ok.yaml')], /network description .* has \d+ error/],
    [['rule', 'validate', fixture('rules/dns-amplification-ok.yaml'), '--now', 'yesterday'], /--now/],
    [['rule', 'validate', fixture('rules/dns-amplification-ok.yaml'), '--format', 'cisco'], /invalid/],
  ])('usage or unreadable input exits 2: %j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('failsmall rule render', () => {
  it('renders the 2013 rule for Junos exactly as published: exit 0', async () => {
    const r = await run('rule', 'render', fixture('rules/2013-dns-drop.junos'), '--format', 'junos');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('packet-length [ 99971 99985 ];');
    expect(r.stderr).toBe('');
  });

  it('refuses to emit what ExaBGP cannot carry: finding on stderr, exit 1', async () => {
    const r = await run('rule', 'render', fixture('rules/2013-dns-drop.yaml'), '--format', 'exabgp');
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('99971');
    expect(r.stderr).toMatch(/error render_value_unsupported rule=173\.245\.53\.0\/24-DNS-DROP match\.packetLengths/);
  });

  it.each(['bird', 'gobgp', 'nftables', 'iosxr', 'exabgp', 'native'])('renders the DNS amplification rule as %s', async (format) => {
    const r = await run('rule', 'render', fixture('rules/dns-amplification-ok.yaml'), '--format', format);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/173\.245\.58\.12/);
  });

  it('--json and a mandatory --format', async () => {
    const r = await run('rule', 'render', fixture('rules/syn-flood-rate-limit.yaml'), '--format', 'gobgp', '--json');
    const out = JSON.parse(r.stdout) as { text: string; findings: Array<{ code: string; rule: string }> };
    expect(out.findings.map((f) => [f.rule, f.code])).toEqual([['frag-flood-2400-cb00-2048', 'render_action_unsupported']]);
    expect(out.text).toContain("tcp-flags '=S&!A'");
    expect(r.code).toBe(1);
    expect((await run('rule', 'render', fixture('rules/syn-flood-rate-limit.yaml'))).code).toBe(2);
  });
});

describe('failsmall rule import', () => {
  it('imports Junos set lines as native YAML that parses back to the same rules', async () => {
    const r = await run('rule', 'import', fixture('rules/memcached-drop.set.junos'), '--from', 'junos', '--scope', 'pops:ams1,fra1');
    expect(r.code).toBe(0);
    const back = parseNativeRules(r.stdout);
    expect(back.findings).toEqual([]);
    expect(back.rules).toEqual([
      {
        id: 'MEMCACHED-173.245.59.0',
        family: 'ipv4',
        match: { destination: '173.245.59.0/24', protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: 11211, max: 11211 }] },
        action: { kind: 'discard' },
        sample: true,
        scope: { kind: 'pops', pops: ['ams1', 'fra1'] },
        provenance: { origin: 'junos' },
      },
    ]);
  });

  it('imports ExaBGP routes, warning about what it cannot keep', async () => {
    const r = await run('rule', 'import', fixture('rules/ntp-monlist.exabgp'), '--from', 'exabgp');
    expect(r.code).toBe(0);
    expect(parseNativeRules(r.stdout).rules.map((x) => x.id)).toEqual(['ntp-monlist-173.245.58.40', 'chargen-any']);
    expect(r.stderr).toMatch(/^warning rule_statement_ignored rule=chargen-any then\.community at .*:30:5/m);
  });

  it('exits 1 when a route cannot be imported, 2 for a bad --scope', async () => {
    const bad = join(tmp, 'bad.junos');
    writeFileSync(bad, 'route r { match { destination 10.0.0.1/8; } then discard; }\n');
    expect((await run('rule', 'import', bad, '--from', 'junos')).code).toBe(1);
    expect((await run('rule', 'import', bad, '--from', 'junos', '--scope', 'pops:')).code).toBe(2);
  });

  it('has help', async () => {
    const r = await run('rule', 'import', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--from <format>');
  });
});
