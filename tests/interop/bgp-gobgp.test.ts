// Interop with GoBGP (Debian gobgpd): failsmall announces the rule set and reads back what gobgpd
// received (gobgp neighbor … adj-in -a ipv4-flowspec/ipv6-flowspec -j); gobgpd announces routes and
// failsmall decodes them the same way gobgp's own RIB shows them; withdrawals really withdraw, and a
// session reset brings a full re-announce. Loopback only; gobgpd listens on a free non-179 port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowspecSpeaker } from '../../src/bgp/index.js';
import type { FlowspecNlri } from '../../src/flowspec/index.js';
import { type Gobgpd, commandExists, startGobgpd, waitFor } from './bgp-peers.js';
import { INTEROP_RULES, OFFSET_RULE, canonical, communitiesFromGobgpJson, nlriFromGobgpJson, viewOf } from './bgp-rules.js';

const available = commandExists('gobgpd') && commandExists('gobgp');

interface GobgpPath {
  nlri: { value: Array<{ type: number; value: unknown; offset?: number }> };
  attrs: Array<{ type: number; value?: unknown }>;
}

type View = ReturnType<typeof canonical>;

function viewsFromGobgp(family: 'ipv4' | 'ipv6', json: string): View[] {
  const table = JSON.parse(json || '{}') as Record<string, GobgpPath[]> | GobgpPath[];
  const paths = Array.isArray(table) ? table : Object.values(table).flat();
  return paths.map((p) => {
    const nlri: FlowspecNlri = nlriFromGobgpJson(family, p.nlri);
    const ext = p.attrs.find((a) => a.type === 16);
    return viewOf(nlri, communitiesFromGobgpJson((ext?.value as Array<Record<string, unknown>>) ?? []));
  });
}

function sortViews(v: View[]): View[] {
  return [...v].sort((a, b) => JSON.stringify(a.match).localeCompare(JSON.stringify(b.match)));
}

describe.skipIf(!available)('interop: gobgpd', () => {
  let gobgp: Gobgpd;
  let speaker: FlowspecSpeaker;

  beforeAll(async () => {
    gobgp = await startGobgpd({ as: 65010, routerId: '127.0.0.10', neighbors: [{ address: '127.0.0.1', peerAs: 65000, passive: true }] });
    speaker = new FlowspecSpeaker({ localAs: 65000, routerId: '127.0.0.1', holdTimeSec: 30, connectRetrySec: 1, idleHoldSec: 1 });
    // gobgp 3.10 lays out IPv6 prefix offsets the pre-RFC way (whole prefix); same bytes for offset 0.
    speaker.addPeer({ id: 'gobgp', address: '127.0.0.1', port: gobgp.port, peerAs: 65010, ipv6OffsetLayout: 'full-prefix' });
    await speaker.waitEstablished('gobgp', 30_000);
  }, 60_000);

  afterAll(async () => {
    await speaker?.stop();
    await gobgp?.stop();
  });

  const adjIn = async (family: 'ipv4' | 'ipv6'): Promise<View[]> => viewsFromGobgp(family, await gobgp.cli(['-j', 'neighbor', '127.0.0.1', 'adj-in', '-a', `${family}-flowspec`]));

  it('gobgpd receives every rule with every component and action intact', async () => {
    const report = speaker.announce([...INTEROP_RULES, OFFSET_RULE]);
    expect(report.rejected).toEqual([]);
    await speaker.flush();
    const v4 = INTEROP_RULES.filter((r) => r.family === 'ipv4').map(canonical);
    const v6 = [...INTEROP_RULES, OFFSET_RULE].filter((r) => r.family === 'ipv6').map(canonical);
    const got4 = await waitFor('gobgp adj-in ipv4', async () => {
      const v = await adjIn('ipv4');
      return v.length === v4.length ? v : undefined;
    });
    const got6 = await waitFor('gobgp adj-in ipv6', async () => {
      const v = await adjIn('ipv6');
      return v.length === v6.length ? v : undefined;
    });
    expect(sortViews(got4)).toEqual(sortViews(v4));
    expect(sortViews(got6)).toEqual(sortViews(v6));
  });

  it('withdraws exactly the withdrawn rules', async () => {
    speaker.withdraw(['v4-icmp', 'v6-rich']);
    await speaker.flush();
    const v4 = INTEROP_RULES.filter((r) => r.family === 'ipv4' && r.id !== 'v4-icmp').map(canonical);
    const got = await waitFor('withdrawal at gobgp', async () => {
      const v = await adjIn('ipv4');
      return v.length === v4.length ? v : undefined;
    });
    expect(sortViews(got)).toEqual(sortViews(v4));
    await waitFor('ipv6 withdrawal at gobgp', async () => ((await adjIn('ipv6')).length === 2 ? true : undefined));
  });

  it('re-announces everything after gobgpd drops the session (disable, enable)', async () => {
    await gobgp.cli(['neighbor', '127.0.0.1', 'disable']);
    await waitFor('session down', () => (speaker.status()[0]!.flaps >= 1 ? true : undefined), 20_000);
    expect(speaker.status()[0]!.lastDown?.received).toMatchObject({ code: 6, subcode: 2 });
    await gobgp.cli(['neighbor', '127.0.0.1', 'enable']);
    await speaker.waitEstablished('gobgp', 30_000);
    const expected = INTEROP_RULES.filter((r) => r.family === 'ipv4' && r.id !== 'v4-icmp').map(canonical);
    const got = await waitFor('re-announce', async () => {
      const v = await adjIn('ipv4');
      return v.length === expected.length ? v : undefined;
    }, 30_000);
    expect(sortViews(got)).toEqual(sortViews(expected));
  });

  it('decodes routes gobgpd announces exactly as gobgp shows them, and their withdrawal', async () => {
    const adds: string[][] = [
      ['-a', 'ipv4-flowspec', 'add', 'match', 'destination', '10.50.0.0/24', 'source', '192.0.2.0/24', 'protocol', 'tcp', 'udp', 'destination-port', '>=80&<=90', '==443', 'then', 'rate-limit', '1000'],
      ['-a', 'ipv4-flowspec', 'add', 'match', 'destination', '10.51.0.0/24', 'tcp-flags', '=S', '&!=A', 'fragment', 'is-fragment', 'then', 'discard'],
      ['-a', 'ipv4-flowspec', 'add', 'match', 'destination', '10.52.0.0/24', 'icmp-type', '==8', 'icmp-code', '==0', 'packet-length', '<64', '>1400', 'dscp', '==46', 'then', 'mark', '10', 'action', 'sample-terminal'],
      ['-a', 'ipv4-flowspec', 'add', 'match', 'destination', '10.53.0.0/24', 'port', '!=22', 'source-port', '>1023', 'then', 'redirect', '65000:100'],
      ['-a', 'ipv6-flowspec', 'add', 'match', 'destination', '2001:db8:50::/48', 'source', '2001:db8::/32', 'label', '>=5&<=10', 'protocol', 'udp', 'then', 'redirect', '10.0.0.1:5'],
    ];
    for (const a of adds) await gobgp.cli(['global', 'rib', ...a]);
    const gobgpView = async (family: 'ipv4' | 'ipv6'): Promise<View[]> => viewsFromGobgp(family, await gobgp.cli(['-j', 'global', 'rib', '-a', `${family}-flowspec`]));
    // gobgp's local RIB also holds what we sent it (best paths from us); keep its own routes.
    const own = (v: View[]): View[] => v.filter((x) => /^(10\.5\d\.|2001:db8:50:)/.test(x.match.destination ?? ''));
    const expected4 = own(await gobgpView('ipv4'));
    const expected6 = own(await gobgpView('ipv6'));
    expect(expected4).toHaveLength(4);
    expect(expected6).toHaveLength(1);
    await waitFor('failsmall received gobgp routes', () => (speaker.adjRibIn('gobgp').length === 5 ? true : undefined));
    const mine = speaker.adjRibIn('gobgp').map((r) => viewOf(r.nlri, r.communities));
    expect(sortViews(mine.filter((v) => !v.match.destination?.includes(':')))).toEqual(sortViews(expected4));
    expect(sortViews(mine.filter((v) => v.match.destination?.includes(':')))).toEqual(sortViews(expected6));

    await gobgp.cli(['global', 'rib', '-a', 'ipv4-flowspec', 'del', 'match', 'destination', '10.51.0.0/24', 'tcp-flags', '=S', '&!=A', 'fragment', 'is-fragment', 'then', 'discard']);
    await waitFor('failsmall saw the withdrawal', () => (speaker.adjRibIn('gobgp').length === 4 ? true : undefined));
    expect(speaker.adjRibIn('gobgp').some((r) => r.rule.match.destination === '10.51.0.0/24')).toBe(false);
  });
});
