// Packet-level generator: reproducible to the byte, rates on the wire as asked, attacks in their
// windows with the shape of their scenario, realistic background, and 1:N thinning.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../lib/random.js';
import { buildWirePacket, datagramLength, describeWirePacket } from '../export/packet-builder.js';
import { TCP_FLAG } from '../export/packet-spec.js';
import { writePcap } from '../export/pcap-writer.js';
import { generatePackets } from './packet-synth.js';
import type { ScenarioName } from './scenarios.js';
import { DEFAULT_DESTINATIONS, type SynthPacket, type TrafficScenarioName, defaultTrafficPlan } from './traffic-plan.js';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

function run(scenario: TrafficScenarioName, seed: number, o: Parameters<typeof defaultTrafficPlan>[1] = {}): SynthPacket[] {
  const plan = defaultTrafficPlan(scenario, { durationMs: 4_000, backgroundPps: 1_000, attackPps: 3_000, attackStartOffsetMs: 1_000, attackEndOffsetMs: 3_000, ...o });
  return [...generatePackets(plan, seededRandom(seed), T0)];
}

const pcapOf = (packets: SynthPacket[]): Uint8Array => writePcap(packets.map((p) => ({ timestampMs: p.timestampMs, data: buildWirePacket(p) })));
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const ports = (p: SynthPacket): { src: number; dst: number } => (p.datagram.transport.kind === 'icmp' ? { src: 0, dst: 0 } : { src: p.datagram.transport.srcPort, dst: p.datagram.transport.dstPort });

describe('generatePackets', () => {
  it('same seed, byte-identical pcap; another seed, another capture', () => {
    const a = sha(pcapOf(run('mixed', 42)));
    expect(sha(pcapOf(run('mixed', 42)))).toBe(a);
    expect(sha(pcapOf(run('mixed', 43)))).not.toBe(a);
  });

  it('puts the asked rates on the wire, in time order, labelled, inside the duration', () => {
    const packets = run('syn-flood', 1);
    const benign = packets.filter((p) => p.label === 'benign');
    const attack = packets.filter((p) => p.label === 'attack-1');
    expect(benign.length).toBeGreaterThan(3_800);
    expect(benign.length).toBeLessThan(4_300); // 1,000 pps x 4 s, units cut at the end
    expect(attack.length).toBeGreaterThan(5_900);
    expect(attack.length).toBeLessThan(6_100); // 3,000 pps x 2 s
    for (let i = 1; i < packets.length; i++) expect(packets[i]!.timestampMs).toBeGreaterThanOrEqual(packets[i - 1]!.timestampMs);
    expect(Math.min(...attack.map((p) => p.timestampMs)) - T0).toBeGreaterThanOrEqual(1_000);
    expect(Math.max(...attack.map((p) => p.timestampMs)) - T0).toBeLessThan(3_000);
    expect(Math.max(...packets.map((p) => p.timestampMs)) - T0).toBeLessThan(4_000);
    expect(new Set(packets.map((p) => p.pop))).toEqual(new Set(['ams1', 'fra1', 'lhr1', 'sjc1']));
    expect(new Set(attack.map((p) => p.pop))).toEqual(new Set(['ams1', 'fra1']));
  });

  it('background: TCP connections start with a SYN and end with FIN or RST; DNS, QUIC, NTP and pings are there', () => {
    const packets = run('none', 5);
    const tcp = new Map<string, number[]>();
    for (const p of packets) {
      const t = p.datagram.transport;
      if (t.kind !== 'tcp') continue;
      const k = `${p.datagram.srcAddr}:${t.srcPort}`;
      tcp.set(k, [...(tcp.get(k) ?? []), t.flags]);
    }
    const complete = [...tcp.values()].filter((f) => f.some((x) => x & (TCP_FLAG.FIN | TCP_FLAG.RST)));
    expect(complete.length).toBeGreaterThan(20);
    for (const flags of complete) {
      expect(flags[0]).toBe(TCP_FLAG.SYN);
      expect(flags.slice(1).every((x) => x & TCP_FLAG.ACK)).toBe(true);
    }
    const dst = (n: number) => packets.filter((p) => ports(p).dst === n && p.datagram.transport.kind === 'udp').length;
    expect(dst(443)).toBeGreaterThan(500); // QUIC
    expect(dst(53)).toBeGreaterThan(100); // DNS queries to the victim's authoritative servers
    // NTP answers to the hosts' own clients (benign source port 123): one per host per 64 s poll
    const ntp = run('none', 5, { durationMs: 64_000, backgroundPps: 10, destinations: DEFAULT_DESTINATIONS }).filter((p) => ports(p).src === 123);
    expect(ntp.length).toBeGreaterThan(DEFAULT_DESTINATIONS.length * 0.7);
    expect(ntp.length).toBeLessThan(DEFAULT_DESTINATIONS.length * 1.3);
    expect(packets.filter((p) => p.datagram.transport.kind === 'icmp').length).toBeGreaterThan(50);
    expect(packets.every((p) => p.label === 'benign')).toBe(true);
  });

  const shape: Array<[ScenarioName, (attack: SynthPacket[]) => void]> = [
    [
      'dns-amplification',
      (a) => {
        const first = a.filter((p) => p.fragmentIndex === 0);
        expect(first.every((p) => ports(p).src === 53)).toBe(true);
        const sizes = first.map((p) => datagramLength(p.datagram) - 28);
        expect(sizes.filter((n) => n >= 2_000 && n <= 4_000).length / sizes.length).toBeGreaterThan(0.6);
        expect(a.filter((p) => p.fragmentIndex > 0).length / a.length).toBeGreaterThan(0.3);
        expect(a.every((p) => describeWirePacket(p).ipLengthBytes <= 1500)).toBe(true);
      },
    ],
    ['ntp-amplification', (a) => expect(a.every((p) => ports(p).src === 123 && describeWirePacket(p).ipLengthBytes === 468)).toBe(true)],
    ['memcached', (a) => expect(a.filter((p) => p.fragmentIndex === 0).every((p) => ports(p).src === 11211 && datagramLength(p.datagram) > 1_400)).toBe(true)],
    ['ssdp', (a) => expect(a.every((p) => ports(p).src === 1900 && describeWirePacket(p).ipLengthBytes >= 290 && describeWirePacket(p).ipLengthBytes <= 330)).toBe(true)],
    [
      'syn-flood',
      (a) => {
        expect(a.every((p) => p.datagram.transport.kind === 'tcp' && p.datagram.transport.flags === TCP_FLAG.SYN)).toBe(true);
        const lengths = new Set(a.map((p) => describeWirePacket(p).ipLengthBytes));
        expect([...lengths].sort()).toEqual([40, 44, 60]);
        expect(new Set(a.map((p) => p.datagram.srcAddr)).size).toBeGreaterThan(a.length * 0.99); // spoofed, random
      },
    ],
    [
      'udp-flood',
      (a) => {
        expect(a.every((p) => p.datagram.transport.kind === 'udp')).toBe(true);
        expect(new Set(a.map((p) => ports(p).dst)).size).toBeGreaterThan(a.length * 0.9);
      },
    ],
    [
      'carpet-bombing',
      (a) => {
        expect(a.every((p) => p.datagram.dstAddr.startsWith('173.245.54.'))).toBe(true);
        expect(new Set(a.map((p) => p.datagram.dstAddr)).size).toBeGreaterThan(200); // spread across the /24
      },
    ],
    [
      'fragments',
      (a) => {
        expect(a.every((p) => describeWirePacket(p).fragmented)).toBe(true);
        expect(a.filter((p) => describeWirePacket(p).fragmentFlags & 0x02).length / a.length).toBeGreaterThan(0.8); // mostly non-first
      },
    ],
  ];
  for (const [scenario, check] of shape) {
    it(`${scenario}: attack packets have the scenario's shape`, () => {
      const attack = run(scenario, 11).filter((p) => p.label === 'attack-1');
      expect(attack.length).toBeGreaterThan(5_000);
      check(attack);
    });
  }

  it('sampled 1:N keeps N-fold fewer packets, each standing for N, with the same mix', () => {
    const full = run('dns-amplification', 3);
    const sampled = run('dns-amplification', 3, { sampleRate: 50, backgroundPps: 50_000, attackPps: 150_000 });
    expect(sampled.every((p) => p.sampleRate === 50)).toBe(true);
    const share = (xs: SynthPacket[]) => xs.filter((p) => p.label !== 'benign').length / xs.length;
    expect(sampled.length).toBeGreaterThan(full.length * 0.9);
    expect(sampled.length).toBeLessThan(full.length * 1.1);
    expect(Math.abs(share(sampled) - share(full))).toBeLessThan(0.05);
    const fragShare = (xs: SynthPacket[]) => xs.filter((p) => p.label !== 'benign' && p.fragmentIndex > 0).length / xs.filter((p) => p.label !== 'benign').length;
    expect(Math.abs(fragShare(sampled) - fragShare(full))).toBeLessThan(0.06);
  });

  it('IPv6 victims get IPv6 background and attacks', () => {
    const packets = run('dns-amplification', 9, { destinations: ['2606:4700::10'], victim: '2606:4700::10' });
    expect(packets.every((p) => p.datagram.family === 6)).toBe(true);
    expect(packets.some((p) => p.label === 'attack-1' && describeWirePacket(p).fragmented)).toBe(true);
    for (const p of packets.slice(0, 200)) expect(buildWirePacket(p).length).toBe(describeWirePacket(p).frameLengthBytes);
  });
});
