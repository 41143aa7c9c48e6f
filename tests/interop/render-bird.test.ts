// Interop: rendered BIRD 2 flow routes pass `bird -p` (parse only), then a real bird with a
// private control socket loads them into flow4/flow6 tables, and `birdc show route ... all`
// reads them back. We parse BIRD's printed flows and extended communities into a match and
// an action and require what we rendered. bird runs in the foreground (-f) as our child and
// is killed in afterAll; it has no BGP protocol, so it talks to nobody.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPrefix, maskBytes, parsePrefix } from '../../src/lib/prefix.js';
import { type BitmaskTerm, type MitigationRule, type RuleAction, type RuleMatch, canonicaliseBitmask, parseNativeRules, parseNumericExpression, numericField, renderRules } from '../../src/rules/index.js';

const hasBird = spawnSync('bird', ['--version'], { encoding: 'utf8' }).status === 0 && spawnSync('birdc', ['--version'], { encoding: 'utf8' }).error === undefined;
const corpus = parseNativeRules(readFileSync(new URL('../fixtures/rules/render-corpus.yaml', import.meta.url), 'utf8')).rules;

let dir = '';
let daemon: ChildProcess | undefined;
let sock = '';

function configFor(rules: readonly MitigationRule[]): { text: string; findings: ReturnType<typeof renderRules>['findings'] } {
  const out = renderRules(rules, 'bird');
  return { text: `router id 192.0.2.1;\n${out.text}`, findings: out.findings };
}

function birdc(args: readonly string[]): { status: number | null; stdout: string } {
  const r = spawnSync('birdc', ['-s', sock, ...args], { encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, stdout: r.stdout ?? '' };
}

beforeAll(async () => {
  if (!hasBird) return;
  dir = mkdtempSync(join(tmpdir(), 'fs-bird-'));
  sock = join(dir, 'bird.ctl');
  const conf = join(dir, 'bird.conf');
  const { text } = configFor(corpus);
  writeFileSync(conf, text);
  daemon = spawn('bird', ['-f', '-c', conf, '-s', sock, '-P', join(dir, 'bird.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
  for (let i = 0; i < 100; i++) {
    if (birdc(['show', 'status']).stdout.includes('Daemon is up and running')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('bird did not come up on its control socket within 10 s');
});

afterAll(async () => {
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon!.once('exit', r));
    daemon.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (daemon.exitCode === null) daemon.kill('SIGKILL');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** BIRD prints an offset prefix with the bits before the offset cleared; do the same to ours. */
function maskBeforeOffset(cidr: string, offset: number | undefined): string {
  const p = parsePrefix(cidr);
  if (!p.ok || !offset) return cidr;
  const keep = maskBytes(p.value.bytes, offset);
  const bytes = p.value.bytes.map((b, i) => b ^ keep[i]!);
  return formatPrefix({ ...p.value, bytes: Uint8Array.from(bytes) });
}

function parseBirdNumeric(text: string, key: Parameters<typeof numericField>[0], family: 'ipv4' | 'ipv6') {
  const expr = text.replace(/&&/g, '&').replace(/\|\|/g, ' ').replace(/\.\./g, '-').replace(/,/g, ' ').replace(/\s*&\s*/g, '&');
  const r = parseNumericExpression(expr, numericField(key, family));
  if (!r.ok) throw new Error(`cannot read BIRD ${key} "${text}": ${r.message}`);
  return r.ranges;
}

/** "0x2/0x2 && 0x0/0x10 || !0x0/0x5": value/mask terms, '!' negates. */
function parseBirdTcpFlags(text: string): BitmaskTerm[][] {
  return canonicaliseBitmask(
    text.split('||').map((clause) =>
      clause.split('&&').flatMap((raw): BitmaskTerm[] => {
        const t = raw.trim();
        const neg = t.startsWith('!');
        const [v, m] = t.replace('!', '').split('/').map((x) => Number.parseInt(x, 16)) as [number, number];
        if (neg) return [{ op: v === 0 ? 'any' : 'not-all', bits: m }];
        const out: BitmaskTerm[] = [];
        if (v !== 0) out.push({ op: 'all', bits: v });
        if ((m & ~v) !== 0) out.push({ op: 'none', bits: m & ~v });
        return out;
      }),
    ),
  ).map((c) => [...c]);
}

const FRAGMENT_BIT: Record<string, number> = { dont_fragment: 1, is_fragment: 2, first_fragment: 4, last_fragment: 8 };

function parseBirdFragment(text: string): BitmaskTerm[][] {
  return canonicaliseBitmask(
    text.split('||').map((clause) =>
      clause.split('&&').map((raw): BitmaskTerm => {
        const t = raw.trim();
        return { op: t.startsWith('!') ? 'none' : 'all', bits: FRAGMENT_BIT[t.replace('!', '')]! };
      }),
    ),
  ).map((c) => [...c]);
}

function parseBirdFlow(line: string, family: 'ipv4' | 'ipv6'): RuleMatch {
  const body = line.slice(line.indexOf('{') + 1, line.indexOf('}'));
  const match: Record<string, unknown> = {};
  for (const part of body.split(';').map((p) => p.trim()).filter(Boolean)) {
    const kw = /^(dst|src|proto|next header|port|dport|sport|icmp type|icmp code|tcp flags|length|dscp|fragment|label)\s+(.*)$/.exec(part);
    if (!kw) throw new Error(`unknown BIRD flow component "${part}"`);
    const [, name, value] = kw as unknown as [string, string, string];
    if (name === 'dst' || name === 'src') {
      const [cidr, , offset] = value.split(/\s+/);
      const key = name === 'dst' ? 'destination' : 'source';
      match[key] = cidr;
      if (offset) match[`${key}Offset`] = Number(offset);
    } else if (name === 'tcp flags') match.tcpFlags = parseBirdTcpFlags(value);
    else if (name === 'fragment') match.fragment = parseBirdFragment(value);
    else {
      const key = ({ proto: 'protocols', 'next header': 'protocols', port: 'ports', dport: 'destinationPorts', sport: 'sourcePorts', 'icmp type': 'icmpTypes', 'icmp code': 'icmpCodes', length: 'packetLengths', dscp: 'dscp', label: 'flowLabel' } as const)[name as 'proto'];
      match[key] = parseBirdNumeric(value, key, family);
    }
  }
  return match as RuleMatch;
}

function float32(bits: number): number {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, bits);
  return v.getFloat32(0);
}

/** RFC 8955 §7 communities from "(generic, 0x80060000, 0x0) ..." back to an action and flags. */
function decodeCommunities(text: string): { action: RuleAction; sample: boolean; terminal: boolean } {
  let action: RuleAction = { kind: 'accept' };
  let sample = false;
  let terminal = true;
  for (const m of text.matchAll(/\(generic, (0x[0-9a-f]+), (0x[0-9a-f]+)\)/g)) {
    const hi = Number.parseInt(m[1]!, 16);
    const lo = Number.parseInt(m[2]!, 16);
    const typeSub = hi >>> 16;
    if (typeSub === 0x8006) action = lo === 0 ? { kind: 'discard' } : { kind: 'rate-limit-bytes', bytesPerSec: float32(lo) };
    else if (typeSub === 0x800c) action = { kind: 'rate-limit-packets', packetsPerSec: float32(lo) };
    else if (typeSub === 0x8009) action = { kind: 'mark-dscp', dscp: lo & 0x3f };
    else if (typeSub === 0x8008) action = { kind: 'redirect', target: `${hi & 0xffff}:${lo}` };
    else if (typeSub === 0x8208) action = { kind: 'redirect', target: `${(hi & 0xffff) * 65536 + (lo >>> 16)}:${lo & 0xffff}` };
    else if (typeSub === 0x8007) {
      sample = (lo & 2) !== 0;
      terminal = (lo & 1) === 0;
    }
  }
  return { action, sample, terminal };
}

interface BirdRoute {
  readonly flow: string;
  readonly communities: string;
}

function showRoutes(table: string): BirdRoute[] {
  const r = birdc(['show', 'route', 'table', table, 'all']);
  expect(r.status).toBe(0);
  const routes: BirdRoute[] = [];
  for (const line of r.stdout.split('\n')) {
    if (/^flow[46] \{/.test(line)) routes.push({ flow: line, communities: '' });
    else if (line.includes('BGP.ext_community:') && routes.length > 0) {
      const last = routes[routes.length - 1]!;
      routes[routes.length - 1] = { ...last, communities: line };
    }
  }
  return routes;
}

describe.skipIf(!hasBird)('BIRD renderer against bird2', () => {
  it('bird -p accepts the rendered configuration', () => {
    const { text, findings } = configFor(corpus);
    expect(findings).toEqual([]);
    const file = join(dir, 'check.conf');
    writeFileSync(file, text);
    const r = spawnSync('bird', ['-p', '-c', file], { encoding: 'utf8', timeout: 15_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('bird holds every flow route with the same components and actions', () => {
    const routes = [...showRoutes('flowtab4').map((r) => ({ ...r, family: 'ipv4' as const })), ...showRoutes('flowtab6').map((r) => ({ ...r, family: 'ipv6' as const }))];
    expect(routes).toHaveLength(corpus.length);
    for (const rule of corpus) {
      const dst = maskBeforeOffset(rule.match.destination!, rule.match.destinationOffset);
      const route = routes.find((r) => r.flow.includes(`dst ${dst}`));
      expect(route, `bird route for ${rule.id}`).toBeDefined();
      const expected: Record<string, unknown> = { ...rule.match, destination: dst };
      if (rule.match.source) expected.source = maskBeforeOffset(rule.match.source, rule.match.sourceOffset);
      expect(parseBirdFlow(route!.flow, rule.family)).toEqual(expected);
      const got = decodeCommunities(route!.communities);
      expect(got.action).toEqual(rule.action);
      expect(got.sample).toBe(rule.sample === true);
      expect(got.terminal).toBe(rule.terminal !== false);
    }
  });

  it('bird rejects the 2013 packet length, and the renderer leaves that rule out with a finding', () => {
    const rule = parseNativeRules(readFileSync(new URL('../fixtures/rules/2013-dns-drop.yaml', import.meta.url), 'utf8')).rules[0]!;
    const { text, findings } = configFor([rule]);
    expect(findings.map((f) => f.code)).toEqual(['render_value_unsupported']);
    expect(text).not.toContain('99971');
    const file = join(dir, 'r2013.conf');
    writeFileSync(file, `${text}protocol static r2013 { flow4 { table flowtab4; }; route flow4 { dst 173.245.53.0/24; port 53; length 99971, 99985; }; }\n`);
    const r = spawnSync('bird', ['-p', '-c', file], { encoding: 'utf8', timeout: 15_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/out of range/);
  });

  it('a redirect-to-IP cannot be a BIRD static flow route: finding, not output', () => {
    const rule: MitigationRule = { ...corpus[0]!, id: 'redir-ip', action: { kind: 'redirect', target: '192.0.2.1' } };
    const { findings } = configFor([rule]);
    expect(findings.map((f) => [f.rule, f.code])).toEqual([['redir-ip', 'render_action_unsupported']]);
  });
});
