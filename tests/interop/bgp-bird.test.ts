// Interop with BIRD 2 (Debian bird2): failsmall announces the rule set and reads back BIRD's flow
// tables (birdc show route table flowtab4/flowtab6 all); BIRD exports static flow routes that
// failsmall must decode as configured; withdrawals really withdraw. BIRD refuses a host-scope
// 127.x neighbour on a direct session, so the session is multihop between 127.0.0.1 and 127.0.0.2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowspecSpeaker } from '../../src/bgp/index.js';
import type { MitigationRule } from '../../src/rules/model.js';
import { type Bird, commandExists, startBird, waitFor } from './bgp-peers.js';
import { INTEROP_RULES, OFFSET_RULE, canonical, viewOf } from './bgp-rules.js';

const RULES = [...INTEROP_RULES, OFFSET_RULE];
import { parseBirdFlowRoutes, semanticMatch } from './bgp-bird-view.js';
import { flowspecToRule } from '../../src/flowspec/index.js';

const available = commandExists('bird') && commandExists('birdc');

const STATIC_ROUTES = `
protocol static flowsrc4 {
  flow4 { table flowtab4; };
  route flow4 { dst 10.90.0.0/16; proto 6; dport 80,443; tcp flags 0x2/0x12; length 1200..1500; } { bgp_ext_community.add((generic, 0x80060000, 0x0)); };
  route flow4 { dst 10.91.0.0/16; src 192.0.2.0/24; sport >= 1024; fragment !is_fragment; icmp type 8; icmp code 0; dscp 46; } { bgp_ext_community.add((generic, 0x80090000, 0xa)); bgp_ext_community.add((generic, 0x80070000, 0x2)); };
}
protocol static flowsrc6 {
  flow6 { table flowtab6; };
  route flow6 { dst 2001:db8:90::/48; next header 17; port 53; label 100..200; } { bgp_ext_community.add((generic, 0x8008fde8, 0x64)); };
}
`;

const base = { scope: { kind: 'global' }, provenance: {} } as const;
/** What BIRD's static routes mean, written from the config above (BIRD's value/mask 0x2/0x12 = SYN set, ACK clear). */
const EXPECTED_FROM_BIRD: MitigationRule[] = [
  {
    ...base,
    id: 'b1',
    family: 'ipv4',
    match: { destination: '10.90.0.0/16', protocols: [{ min: 6, max: 6 }], destinationPorts: [{ min: 80, max: 80 }, { min: 443, max: 443 }], tcpFlags: [[{ op: 'all', bits: 0x02 }, { op: 'none', bits: 0x10 }]], packetLengths: [{ min: 1200, max: 1500 }] },
    action: { kind: 'discard' },
  },
  {
    ...base,
    id: 'b2',
    family: 'ipv4',
    match: { destination: '10.91.0.0/16', source: '192.0.2.0/24', sourcePorts: [{ min: 1024, max: 65535 }], fragment: [[{ op: 'none', bits: 0x02 }]], icmpTypes: [{ min: 8, max: 8 }], icmpCodes: [{ min: 0, max: 0 }], dscp: [{ min: 46, max: 46 }] },
    action: { kind: 'mark-dscp', dscp: 10 },
    sample: true,
  },
  { ...base, id: 'b3', family: 'ipv6', match: { destination: '2001:db8:90::/48', protocols: [{ min: 17, max: 17 }], ports: [{ min: 53, max: 53 }], flowLabel: [{ min: 100, max: 200 }] }, action: { kind: 'redirect', target: '65000:100' } },
];

type SemView = { match: Record<string, unknown>; action: unknown; sample: boolean; terminal: boolean };
const sem = (v: ReturnType<typeof canonical>): SemView => ({ ...v, match: semanticMatch(v.match) });
const sortViews = (v: SemView[]): SemView[] => [...v].sort((a, b) => JSON.stringify(a.match).localeCompare(JSON.stringify(b.match)));

describe.skipIf(!available)('interop: BIRD 2', () => {
  let bird: Bird;
  let speaker: FlowspecSpeaker;

  beforeAll(async () => {
    bird = await startBird({ as: 65030, routerId: '127.0.0.30', peerAddress: '127.0.0.1', peerAs: 65000, peerPort: 179, passive: true, exportStatic: true, extra: STATIC_ROUTES });
    speaker = new FlowspecSpeaker({ localAs: 65000, routerId: '127.0.0.1', holdTimeSec: 30, connectRetrySec: 1, idleHoldSec: 1 });
    speaker.addPeer({ id: 'bird', address: bird.address, port: bird.port, peerAs: 65030, localAddress: '127.0.0.1' });
    await speaker.waitEstablished('bird', 30_000);
  }, 60_000);

  afterAll(async () => {
    await speaker?.stop();
    await bird?.stop();
  });

  /** BIRD's flow tables, keeping only what it learned from failsmall. */
  const birdView = async (): Promise<SemView[]> => {
    const out = (await bird.birdc(['show', 'route', 'table', 'flowtab4', 'protocol', 'failsmall', 'all'])) + (await bird.birdc(['show', 'route', 'table', 'flowtab6', 'protocol', 'failsmall', 'all']));
    return parseBirdFlowRoutes(out).map((r) => {
      const { rule } = flowspecToRule({ nlri: { family: r.family, components: [] }, communities: r.communities });
      return sem({ match: r.match, action: rule.action, sample: rule.sample ?? false, terminal: rule.terminal ?? true });
    });
  };

  it('BIRD receives every rule with every component and action intact', async () => {
    expect(speaker.announce(RULES).rejected).toEqual([]);
    await speaker.flush();
    const got = await waitFor('BIRD flow tables', async () => {
      const v = await birdView();
      return v.length === RULES.length ? v : undefined;
    });
    expect(sortViews(got)).toEqual(sortViews(RULES.map(canonical).map(sem)));
  });

  it('decodes the static flow routes BIRD exports as configured', async () => {
    await waitFor('routes from BIRD', () => (speaker.adjRibIn('bird').length === EXPECTED_FROM_BIRD.length ? true : undefined));
    const mine = speaker.adjRibIn('bird').map((r) => sem(viewOf(r.nlri, r.communities)));
    expect(sortViews(mine)).toEqual(sortViews(EXPECTED_FROM_BIRD.map(canonical).map(sem)));
    // Without the semantic view too: the operators BIRD chose decode to the same model.
    const b1 = speaker.adjRibIn('bird').find((r) => r.rule.match.destination === '10.90.0.0/16')!;
    expect(b1.rule.match.tcpFlags).toEqual([[{ op: 'all', bits: 0x02 }, { op: 'none', bits: 0x10 }]]);
  });

  it('withdrawals really withdraw, both ways', async () => {
    speaker.withdraw(['v4-rich', 'v6-icmp-mark']);
    await speaker.flush();
    const expected = RULES.filter((r) => r.id !== 'v4-rich' && r.id !== 'v6-icmp-mark').map(canonical).map(sem);
    const got = await waitFor('BIRD saw the withdrawals', async () => {
      const v = await birdView();
      return v.length === expected.length ? v : undefined;
    });
    expect(sortViews(got)).toEqual(sortViews(expected));

    await bird.birdc(['disable', 'flowsrc6']);
    await waitFor('failsmall saw BIRD withdraw', () => (speaker.adjRibIn('bird').length === EXPECTED_FROM_BIRD.length - 1 ? true : undefined));
    expect(speaker.adjRibIn('bird').some((r) => r.nlri.family === 'ipv6')).toBe(false);
  });
});
