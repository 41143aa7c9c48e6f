// Interop: the nftables ruleset we render passes `nft -c -f` (check only), loads into a
// network namespace of its own, and behaves like the Flowspec rules it came from: packets
// crafted in a second namespace and sent over a veth pair hit exactly the nft rules whose
// Flowspec match they satisfy (counted per rule comment). Needs root for nft and namespaces;
// skipped with a reason otherwise. Both namespaces are deleted in afterAll.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MitigationRule, parseNativeRules, renderRules } from '../../src/rules/index.js';

const isRoot = process.getuid?.() === 0;
const hasTools = spawnSync('nft', ['--version']).status === 0 && spawnSync('ip', ['-V']).status === 0 && spawnSync('python3', ['--version']).status === 0;
const skipReason = !isRoot ? 'needs root (nft and ip netns)' : !hasTools ? 'needs nft, ip and python3' : '';
if (skipReason) console.warn(`render-nftables: skipped: ${skipReason}`);

const corpus = parseNativeRules(readFileSync(new URL('../fixtures/rules/render-corpus.yaml', import.meta.url), 'utf8')).rules;
const fragmentRule: MitigationRule = {
  id: 'v4-fragments-drop',
  family: 'ipv4',
  match: {
    destination: '173.245.51.0/24',
    fragment: [
      [
        { op: 'all', bits: 0x02 },
        { op: 'none', bits: 0x04 },
      ],
      [{ op: 'all', bits: 0x01 }],
    ],
  },
  action: { kind: 'discard' },
  scope: { kind: 'global' },
  provenance: { origin: 'native' },
};

const fragmentRule2 = (id: string, destination: string, fragment: MitigationRule['match']['fragment']): MitigationRule => ({ ...fragmentRule, id, match: { destination, ...(fragment ? { fragment } : {}) } });
const moreFragmentRules: MitigationRule[] = [
  // RFC 8955 §4.2.2.12: IsF is "a fragment other than the first" (offset != 0).
  fragmentRule2('v4-is-fragment', '173.245.56.0/24', [[{ op: 'all', bits: 0x02 }]]),
  fragmentRule2('v4-first-or-last', '173.245.55.0/24', [[{ op: 'any', bits: 0x04 | 0x08 }]]),
  fragmentRule2('v4-not-last', '173.245.57.0/24', [[{ op: 'none', bits: 0x08 }]]),
];

const tag = `fs${process.pid}${Math.floor(Math.random() * 1e4)}`;
const SENDER = `${tag}-tx`;
const RECEIVER = `${tag}-rx`;
let dir = '';

function sh(args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 20_000, ...(input !== undefined ? { input } : {}) });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function must(args: readonly string[]): string {
  const r = sh(args);
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  if (skipReason) return;
  dir = mkdtempSync(join(tmpdir(), 'failsmall-nft-'));
  must(['ip', 'netns', 'add', SENDER]);
  must(['ip', 'netns', 'add', RECEIVER]);
  must(['ip', 'link', 'add', `${tag}a`, 'netns', SENDER, 'type', 'veth', 'peer', 'name', `${tag}b`, 'netns', RECEIVER]);
  must(['ip', '-n', SENDER, 'addr', 'add', '10.99.0.1/30', 'dev', `${tag}a`]);
  must(['ip', '-n', RECEIVER, 'addr', 'add', '10.99.0.2/30', 'dev', `${tag}b`]);
  must(['ip', '-n', SENDER, 'link', 'set', `${tag}a`, 'up']);
  must(['ip', '-n', RECEIVER, 'link', 'set', `${tag}b`, 'up']);
  must(['ip', '-n', SENDER, 'link', 'set', 'lo', 'up']);
  must(['ip', '-n', SENDER, 'route', 'add', '173.245.48.0/20', 'via', '10.99.0.2']);
});

afterAll(() => {
  if (skipReason) return;
  sh(['ip', 'netns', 'del', SENDER]);
  sh(['ip', 'netns', 'del', RECEIVER]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Sends raw IPv4 packets described as JSON (IP_HDRINCL; the kernel fills length/checksum). */
const SEND_PACKETS = `
import json, socket, struct, sys
def l4(p):
    proto = p['proto']
    if p.get('fragOffset', 0): return b''
    if proto == 17: return struct.pack('!HHHH', p['sport'], p['dport'], 8, 0)
    if proto == 6: return struct.pack('!HHIIBBHHH', p['sport'], p['dport'], 1, 0, 5 << 4, p['flags'], 1024, 0, 0)
    if proto == 1: return struct.pack('!BBHHH', p['icmpType'], p['icmpCode'], 0, 1, 1)
    return b''
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
for p in json.loads(sys.argv[1]):
    body = l4(p)
    total = p['length']
    frag = (0x4000 if p.get('df') else 0) | (0x2000 if p.get('mf') else 0) | p.get('fragOffset', 0)
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, p.get('dscp', 0) << 2, total, 7, frag, 64, p['proto'], 0,
                      socket.inet_aton(p['src']), socket.inet_aton(p['dst']))
    pkt = hdr + body
    pkt += b'\\0' * (total - len(pkt))
    s.sendto(pkt, (p['dst'], 0))
`;

interface Packet {
  readonly name: string;
  readonly dst: string;
  readonly src?: string;
  readonly proto: number;
  readonly length: number;
  readonly sport?: number;
  readonly dport?: number;
  readonly flags?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  readonly dscp?: number;
  readonly df?: boolean;
  readonly mf?: boolean;
  readonly fragOffset?: number;
  /** The rule (comment) this packet must hit, or undefined for none. */
  readonly hits?: string;
}

const SYN = 0x02;
const ACK = 0x10;
const RST = 0x04;
const FIN = 0x01;
const PACKETS: readonly Packet[] = [
  { name: 'dns response 600 B', dst: '173.245.58.12', proto: 17, sport: 53, dport: 40000, length: 600, hits: 'v4-dns-amp' },
  { name: 'dns response 300 B (below 512)', dst: '173.245.58.12', proto: 17, sport: 53, dport: 40000, length: 300 },
  { name: 'udp 600 B from port 54', dst: '173.245.58.12', proto: 17, sport: 54, dport: 40000, length: 600 },
  { name: 'syn to 443', dst: '173.245.60.80', proto: 6, sport: 5555, dport: 443, flags: SYN, length: 60, hits: 'v4-syn-flood' },
  { name: 'syn-ack to 443', dst: '173.245.60.80', proto: 6, sport: 5555, dport: 443, flags: SYN | ACK, length: 60 },
  { name: 'syn to 22', dst: '173.245.60.80', proto: 6, sport: 5555, dport: 22, flags: SYN, length: 60 },
  { name: 'udp 123 -> 2000 (port OR)', dst: '173.245.49.9', proto: 17, sport: 123, dport: 2000, length: 100, hits: 'v4-ports-mark' },
  { name: 'udp 5000 -> 2000 (no port 53/123)', dst: '173.245.49.9', proto: 17, sport: 5000, dport: 2000, length: 100 },
  { name: 'echo request 1200 B ef', dst: '173.245.50.1', proto: 1, icmpType: 8, icmpCode: 0, dscp: 46, length: 1200, hits: 'v4-icmp-sampled' },
  { name: 'echo request 1200 B af11', dst: '173.245.50.1', proto: 1, icmpType: 8, icmpCode: 0, dscp: 10, length: 1200 },
  { name: 'echo request 500 B ef', dst: '173.245.50.1', proto: 1, icmpType: 8, icmpCode: 0, dscp: 46, length: 500 },
  { name: 'rst from the source range', dst: '173.245.52.1', src: '198.51.100.7', proto: 6, sport: 1, dport: 2, flags: RST, length: 60, hits: 'v4-source-flags-accept' },
  { name: 'fin from the source range', dst: '173.245.52.1', src: '198.51.100.7', proto: 6, sport: 1, dport: 2, flags: FIN, length: 60, hits: 'v4-source-flags-accept' },
  { name: 'ack from the source range', dst: '173.245.52.1', src: '198.51.100.7', proto: 6, sport: 1, dport: 2, flags: ACK, length: 60 },
  { name: 'rst from elsewhere', dst: '173.245.52.1', src: '203.0.113.7', proto: 6, sport: 1, dport: 2, flags: RST, length: 60 },
  { name: 'later fragment', dst: '173.245.51.1', proto: 17, fragOffset: 100, length: 200, hits: 'v4-fragments-drop' },
  { name: 'df set', dst: '173.245.51.1', proto: 17, sport: 1, dport: 2, df: true, length: 200, hits: 'v4-fragments-drop' },
  { name: 'first fragment (MF, offset 0)', dst: '173.245.51.1', proto: 17, sport: 1, dport: 2, mf: true, length: 200 },
  { name: 'unfragmented, no DF', dst: '173.245.51.1', proto: 17, sport: 1, dport: 2, length: 200 },
  { name: 'IsF: first fragment is not IsF', dst: '173.245.56.1', proto: 17, sport: 1, dport: 2, mf: true, length: 200 },
  { name: 'IsF: middle fragment', dst: '173.245.56.1', proto: 17, mf: true, fragOffset: 50, length: 200, hits: 'v4-is-fragment' },
  { name: 'IsF: last fragment', dst: '173.245.56.1', proto: 17, fragOffset: 50, length: 200, hits: 'v4-is-fragment' },
  { name: 'FF|LF: first fragment', dst: '173.245.55.1', proto: 17, sport: 1, dport: 2, mf: true, length: 200, hits: 'v4-first-or-last' },
  { name: 'FF|LF: last fragment', dst: '173.245.55.1', proto: 17, fragOffset: 50, length: 200, hits: 'v4-first-or-last' },
  { name: 'FF|LF: middle fragment', dst: '173.245.55.1', proto: 17, mf: true, fragOffset: 50, length: 200 },
  { name: 'FF|LF: unfragmented', dst: '173.245.55.1', proto: 17, sport: 1, dport: 2, length: 200 },
  { name: '!LF: last fragment', dst: '173.245.57.1', proto: 17, fragOffset: 50, length: 200 },
  { name: '!LF: middle fragment', dst: '173.245.57.1', proto: 17, mf: true, fragOffset: 50, length: 200, hits: 'v4-not-last' },
  { name: '!LF: unfragmented', dst: '173.245.57.1', proto: 17, sport: 1, dport: 2, length: 200, hits: 'v4-not-last' },
];

function counters(): Map<string, number> {
  const out = JSON.parse(must(['ip', 'netns', 'exec', RECEIVER, 'nft', '-j', 'list', 'table', 'inet', 'failsmall'])) as { nftables: Array<{ rule?: { comment?: string; expr: Array<Record<string, { packets?: number }>> } }> };
  const byComment = new Map<string, number>();
  for (const item of out.nftables) {
    if (!item.rule?.comment) continue;
    const packets = item.rule.expr.find((e) => 'counter' in e)?.counter?.packets ?? 0;
    byComment.set(item.rule.comment, (byComment.get(item.rule.comment) ?? 0) + packets);
  }
  return byComment;
}

describe.skipIf(skipReason !== '')('nftables renderer against nft', () => {
  const rules = [...corpus, fragmentRule, ...moreFragmentRules];

  it('nft -c accepts the rendered ruleset; rules nft cannot express are findings', () => {
    const out = renderRules(rules, 'nftables');
    expect(out.findings.map((f) => [f.rule, f.code])).toEqual([
      ['v4-fragments-redirect', 'render_action_unsupported'],
      ['v4-redirect-as4', 'render_action_unsupported'],
      ['v6-offset', 'render_component_unsupported'],
    ]);
    const file = join(dir, 'check.nft');
    writeFileSync(file, out.text);
    const r = sh(['nft', '-c', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('loaded in a namespace, each crafted packet hits exactly the rules its Flowspec match says', () => {
    const out = renderRules(rules, 'nftables');
    const file = join(dir, 'load.nft');
    writeFileSync(file, out.text);
    must(['ip', 'netns', 'exec', RECEIVER, 'nft', '-f', file]);
    for (const p of PACKETS) {
      const before = counters();
      const spec = [{ ...p, src: p.src ?? '10.99.0.1', sport: p.sport ?? 0, dport: p.dport ?? 0, flags: p.flags ?? 0, icmpType: p.icmpType ?? 0, icmpCode: p.icmpCode ?? 0 }];
      const send = sh(['ip', 'netns', 'exec', SENDER, 'python3', '-c', SEND_PACKETS, JSON.stringify(spec)]);
      expect(send.stderr, p.name).toBe('');
      const after = counters();
      const hit = [...after].filter(([c, n]) => n > (before.get(c) ?? 0)).map(([c]) => c);
      expect(hit, p.name).toEqual(p.hits ? [p.hits] : []);
    }
  });
});
