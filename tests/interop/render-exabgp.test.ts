// Interop: rules rendered for ExaBGP are accepted by the real exabgp (4.2) and read back.
// `exabgp --validate` must accept the whole configuration; `exabgp --test` with debug logging
// then encodes every flow route to a BGP UPDATE and decodes it again, printing its decoded
// understanding as JSON. We turn each decoded flow back into a MitigationRule with our ExaBGP
// importer and require the same match and action as the rule we rendered. Nothing connects
// anywhere: the neighbor is 127.0.0.1 and --test/--validate never open a session.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MitigationRule, parseExabgpRules, parseNativeRules, renderRules } from '../../src/rules/index.js';

const hasExabgp = spawnSync('exabgp', ['--version'], { encoding: 'utf8' }).status === 0;
const corpus = parseNativeRules(readFileSync(new URL('../fixtures/rules/render-corpus.yaml', import.meta.url), 'utf8')).rules;
const NEIGHBOR = { peerAddress: '127.0.0.1', localAddress: '127.0.0.1', routerId: '192.0.2.1', localAs: 65000, peerAs: 65000 };

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'failsmall-exabgp-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runExabgp(args: readonly string[], config: string, debug = false): { status: number | null; out: string } {
  const file = join(dir, `exabgp-${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(file, config);
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, 'exabgp.daemon.daemonize': 'false', 'exabgp.log.destination': 'stdout' };
  if (debug) env['exabgp.log.level'] = 'DEBUG';
  const r = spawnSync('exabgp', [...args, file], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

interface DecodedFlow {
  readonly string: string;
  readonly communities: string[];
}

/** Every flow in the "decoded UPDATE ... json {...}" lines of `exabgp --test` debug output. */
function decodedFlows(out: string): DecodedFlow[] {
  const flows: DecodedFlow[] = [];
  for (const line of out.split('\n')) {
    const at = line.indexOf('decoded UPDATE');
    if (at < 0) continue;
    const json = JSON.parse(line.slice(line.indexOf('{', at))) as {
      neighbor: { message: { update: { attribute?: { 'extended-community'?: Array<{ string: string }> }; announce?: Record<string, Record<string, Array<{ string: string }>>> } } };
    };
    const update = json.neighbor.message.update;
    const communities = (update.attribute?.['extended-community'] ?? []).map((c) => c.string);
    for (const byNextHop of Object.values(update.announce ?? {})) {
      for (const list of Object.values(byNextHop)) for (const f of list) flows.push({ string: f.string, communities });
    }
  }
  return flows;
}

/** "flow destination-ipv4 10.0.0.0/24 port [ =53 =80 ] ..." -> an ExaBGP config our importer reads. */
function flowStringToConfig(flow: string): string {
  const tokens = flow.replace(/\[/g, ' [ ').replace(/\]/g, ' ] ').trim().split(/\s+/).slice(1);
  const statements: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    const kw = tokens[i++]!;
    if (tokens[i] === '[') {
      const end = tokens.indexOf(']', i);
      statements.push(`${kw} [ ${tokens.slice(i + 1, end).join(' ')} ];`);
      i = end + 1;
    } else {
      statements.push(`${kw} ${tokens[i++]};`);
    }
  }
  return `flow { route decoded { match { ${statements.join(' ')} } then { accept; } } }`;
}

/** The extended communities ExaBGP prints for a rule's action (its own spelling). */
function expectedCommunities(rule: MitigationRule): string[] {
  const out: string[] = [];
  const a = rule.action;
  if (a.kind === 'discard') out.push('rate-limit:0');
  if (a.kind === 'rate-limit-bytes') out.push(`rate-limit:${a.bytesPerSec}`);
  if (a.kind === 'mark-dscp') out.push(`mark ${a.dscp}`);
  if (a.kind === 'redirect') out.push(`redirect:${a.target}`);
  const flags = (rule.sample ? 2 : 0) | (rule.terminal === false ? 1 : 0);
  if (flags) out.push(`action ${['', 'terminal', 'sample', 'sample-terminal'][flags]}`);
  return out.sort();
}

describe.skipIf(!hasExabgp)('ExaBGP renderer against exabgp', () => {
  const as4 = (r: MitigationRule): boolean => r.action.kind === 'redirect' && Number(r.action.target.split(':')[0]) > 0xffff;

  it('renders the whole corpus without findings and exabgp --validate accepts it', () => {
    const out = renderRules(corpus, 'exabgp', { exabgpNeighbor: NEIGHBOR });
    expect(out.findings).toEqual([]);
    const r = runExabgp(['--validate'], out.text);
    expect(r.out).not.toMatch(/syntax error|error message/);
    expect(r.status).toBe(0);
  });

  it('exabgp encodes and decodes every flow route to the same match and action', () => {
    // ExaBGP 4.2.21's self-check decoder recurses forever on the 4-byte-AS redirect (0x8208)
    // community it encodes correctly; those rules are checked on the encoded hex below.
    const rules = corpus.filter((r) => !as4(r));
    const out = renderRules(rules, 'exabgp', { exabgpNeighbor: NEIGHBOR });
    const r = runExabgp(['--test'], out.text, true);
    expect(r.out).not.toMatch(/error message/);
    const flows = decodedFlows(r.out);
    expect(flows).toHaveLength(rules.length);
    for (const rule of rules) {
      const flow = flows.find((f) => f.string.includes(` ${rule.match.destination}`));
      expect(flow, `decoded flow for ${rule.id}`).toBeDefined();
      const back = parseExabgpRules(flowStringToConfig(flow!.string));
      expect(back.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(back.rules[0]!.family).toBe(rule.family);
      expect(back.rules[0]!.match).toEqual(rule.match);
      expect([...flow!.communities].sort()).toEqual(expectedCommunities(rule));
    }
  });

  it('encodes a 4-byte-AS redirect as a 0x8208 community (RFC 7674)', () => {
    const rule = corpus.find(as4)!;
    const out = renderRules([rule], 'exabgp', { exabgpNeighbor: NEIGHBOR });
    expect(runExabgp(['--validate'], out.text).status).toBe(0);
    const r = runExabgp(['--test'], out.text, true);
    const [asn, value] = rule.action.kind === 'redirect' ? rule.action.target.split(':').map(Number) : [];
    const hex = `8208${asn!.toString(16).padStart(8, '0')}${value!.toString(16).padStart(4, '0')}`.toUpperCase();
    expect(r.out).toContain(`extended-community 0x${hex}`);
  });

  it('the packet length of the 2013 rule is refused by exabgp itself, and our renderer says so first', () => {
    const rule = parseNativeRules(readFileSync(new URL('../fixtures/rules/2013-dns-drop.yaml', import.meta.url), 'utf8')).rules[0]!;
    const out = renderRules([rule], 'exabgp', { exabgpNeighbor: NEIGHBOR });
    expect(out.findings.map((f) => f.code)).toEqual(['render_value_unsupported']);
    expect(out.text).not.toContain('99971');
    // The hand-written equivalent is what exabgp rejects.
    const handWritten = out.text.replace('flow {', 'flow {\n\t\troute r2013 { match { destination 173.245.53.0/24; port [ =53 ]; packet-length [ =99971 =99985 ]; } then { discard; } }');
    const r = runExabgp(['--validate'], handWritten);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/packet length|max-packet length/);
  });

  it('redirects to an IPv4 or IPv6 next hop are accepted and encoded', () => {
    const v4 = corpus.find((r) => r.family === 'ipv4')!;
    const v6 = corpus.find((r) => r.family === 'ipv6')!;
    const rules: MitigationRule[] = [
      { ...v4, id: 'to-ip4', action: { kind: 'redirect', target: '192.0.2.1' } },
      { ...v6, id: 'to-ip6', action: { kind: 'redirect', target: '2001:db8::1' } },
    ];
    const out = renderRules(rules, 'exabgp', { exabgpNeighbor: NEIGHBOR });
    expect(out.findings).toEqual([]);
    expect(runExabgp(['--validate'], out.text).status).toBe(0);
    const r = runExabgp(['--test'], out.text, true);
    expect(r.out).not.toMatch(/error message/);
    expect(decodedFlows(r.out)).toHaveLength(2);
    expect(r.out).toContain('redirect-to-nexthop-ietf 2001:db8::1');
    // Our importer reads the rendered text back to the same targets.
    expect(parseExabgpRules(out.text).rules.map((x) => x.action)).toEqual(rules.map((x) => x.action));
  });

  it('reports rules exabgp cannot express instead of emitting them', () => {
    const base = corpus[0]!;
    const pps: MitigationRule = { ...base, id: 'pps', action: { kind: 'rate-limit-packets', packetsPerSec: 1000 } };
    const ipTarget: MitigationRule = { ...base, id: 'rt-ip', action: { kind: 'redirect', target: '192.0.2.1:77' } };
    const out = renderRules([pps, ipTarget, base], 'exabgp', { exabgpNeighbor: NEIGHBOR });
    expect(out.findings.map((f) => [f.rule, f.code])).toEqual([
      ['pps', 'render_action_unsupported'],
      ['rt-ip', 'render_action_unsupported'],
    ]);
    expect(runExabgp(['--validate'], out.text).status).toBe(0);
  });
});
