// Two failsmall speakers over real TCP on 127.0.0.1: the controller announces to two routers
// (passive speakers), so the session driver, UPDATE packing, Adj-RIB-Out and Adj-RIB-In are
// exercised end to end without external daemons.
import { afterEach, describe, expect, it } from 'vitest';
import type { MitigationRule } from '../rules/model.js';
import { FlowspecSpeaker } from './speaker.js';

const speakers: FlowspecSpeaker[] = [];
afterEach(async () => {
  await Promise.all(speakers.splice(0).map((s) => s.stop()));
});

function rule(id: string, n: number, extra: Partial<MitigationRule> = {}): MitigationRule {
  return {
    id,
    family: 'ipv4',
    match: { destination: `10.${n >> 8}.${n & 255}.0/24`, protocols: [{ min: 17, max: 17 }], destinationPorts: [{ min: 53, max: 53 }, { min: 123, max: 123 }] },
    action: { kind: 'rate-limit-bytes', bytesPerSec: 125000 },
    scope: { kind: 'global' },
    provenance: {},
    ...extra,
  };
}

async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function router(asn: number, id: string): Promise<FlowspecSpeaker> {
  const s = new FlowspecSpeaker({ localAs: asn, routerId: id, listen: { host: '127.0.0.1', port: 0 }, holdTimeSec: 9, idleHoldSec: 1 });
  await s.start();
  s.addPeer({ id: 'controller', address: '127.0.0.1', peerAs: 65000, passive: true });
  speakers.push(s);
  return s;
}

describe('FlowspecSpeaker over loopback', () => {
  it('announces to a subset of peers, withdraws exactly, and re-announces after a flap', async () => {
    const r1 = await router(65101, '192.0.2.11');
    const r2 = await router(4200000002, '192.0.2.12');
    const ctl = new FlowspecSpeaker({ localAs: 65000, routerId: '192.0.2.1', holdTimeSec: 9, idleHoldSec: 1, connectRetrySec: 1 });
    speakers.push(ctl);
    ctl.addPeer({ id: 'r1', address: '127.0.0.1', port: r1.port!, peerAs: 65101 });
    ctl.addPeer({ id: 'r2', address: '127.0.0.1', port: r2.port!, peerAs: 4200000002 });
    const [n1, n2] = await Promise.all([ctl.waitEstablished('r1', 10_000), ctl.waitEstablished('r2', 10_000)]);
    expect(n1.families).toEqual([{ afi: 1, safi: 133 }, { afi: 2, safi: 133 }]);
    expect(n2.peerAs).toBe(4200000002);

    // Scoped: 300 rules to r1 only (several UPDATEs), 2 to everyone.
    const many = Array.from({ length: 300 }, (_, i) => rule(`r-${i}`, i));
    const report = ctl.announce(many, { peers: ['r1'] });
    expect(report.rejected).toEqual([]);
    expect(report.peers).toEqual([{ id: 'r1', announced: 300, withdrawn: 0 }]);
    ctl.announce([rule('all-1', 1000, { action: { kind: 'discard' } }), rule('all-2', 1001, { family: 'ipv6', match: { destination: '2001:db8:1::/48', flowLabel: [{ min: 7, max: 7 }] } })]);
    await ctl.flush();
    await until('r1 has 302 routes', () => r1.adjRibIn('controller').length === 302);
    await until('r2 has 2 routes', () => r2.adjRibIn('controller').length === 2);
    const got = r1.adjRibIn('controller').find((r) => r.rule.match.destination === '10.0.5.0/24');
    expect(got?.rule.match).toEqual(many[5]!.match);
    expect(got?.rule.action).toEqual({ kind: 'rate-limit-bytes', bytesPerSec: 125000 });
    expect(r2.adjRibIn('controller').map((r) => r.rule.action.kind).sort()).toEqual(['discard', 'rate-limit-bytes']);

    // Repeating an announcement sends nothing; withdrawing is exact.
    expect(ctl.announce(many.slice(0, 10), { peers: ['r1'] }).peers).toEqual([{ id: 'r1', announced: 0, withdrawn: 0 }]);
    expect(ctl.withdraw(['r-0', 'r-1', 'no-such-rule']).peers).toEqual([
      { id: 'r1', announced: 0, withdrawn: 2 },
      { id: 'r2', announced: 0, withdrawn: 0 },
    ]);
    await ctl.flush();
    await until('r1 has 300 routes', () => r1.adjRibIn('controller').length === 300);
    expect(r1.adjRibIn('controller').some((r) => r.rule.match.destination === '10.0.0.0/24')).toBe(false);

    // Changing a rule's match withdraws the old NLRI and announces the new one.
    ctl.announce([rule('all-1', 2000, { action: { kind: 'discard' } })]);
    await ctl.flush();
    await until('r2 sees the moved rule', () => r2.adjRibIn('controller').some((r) => r.rule.match.destination === '10.7.208.0/24'));
    expect(r2.adjRibIn('controller')).toHaveLength(2);

    // Flap r2: the router drops the session; the controller reconnects and re-announces all.
    await r2.removePeer('controller', 'flap test');
    await until('r2 down at the controller', () => !ctl.status().find((p) => p.id === 'r2')!.established);
    r2.addPeer({ id: 'controller', address: '127.0.0.1', peerAs: 65000, passive: true });
    await ctl.waitEstablished('r2', 15_000);
    await until('r2 re-learned its routes', () => r2.adjRibIn('controller').length === 2, 10_000);
    const st = ctl.status().find((p) => p.id === 'r2')!;
    expect(st.flaps).toBeGreaterThanOrEqual(1);
    expect(st.lastDown?.received).toMatchObject({ code: 6, subcode: 2 });

    // Kill switch.
    ctl.withdrawAll();
    await ctl.flush();
    await until('all withdrawn', () => r1.adjRibIn('controller').length === 0 && r2.adjRibIn('controller').length === 0);
  }, 60_000);

  it('reports rules the wire cannot carry and sends nothing for them', async () => {
    const ctl = new FlowspecSpeaker({ localAs: 65000, routerId: '192.0.2.1' });
    speakers.push(ctl);
    const report = ctl.announce([rule('bad', 1, { match: {} })]);
    expect(report.rejected.map((r) => [r.ruleId, r.error.code])).toEqual([['bad', 'flowspec_nlri_empty']]);
  });
});
