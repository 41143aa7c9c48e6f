// Two failsmall speakers over real TCP on 127.0.0.1: the controller announces to two routers
// (passive speakers), so the session driver, UPDATE packing, Adj-RIB-Out and Adj-RIB-In are
// exercised end to end without external daemons.
import { afterEach, describe, expect, it } from 'vitest';
import type { MitigationRule } from '../../rules/model.js';
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

describe('a misbehaving peer', () => {
  it('gets the right NOTIFICATION, cannot crash the speaker, and a malformed Flowspec NLRI is only withdrawn', async () => {
    const { connect } = await import('node:net');
    const { encodeBgpMessage, decodeBgpMessage, MessageFramer } = await import('../messages/index.js');
    const r = await router(65101, '192.0.2.11');
    const talk = async (afterOpen: Uint8Array[]): Promise<{ messages: Array<{ type: string; code?: number; subcode?: number }>; closed: boolean }> => {
      // After a reset the router's session idles (idle hold) before it listens again.
      await until('router waiting for a connection', () => r.status()[0]!.state === 'Active');
      const sock = connect({ host: '127.0.0.1', port: r.port! });
      sock.on('error', () => undefined);
      const framer = new MessageFramer();
      const messages: Array<{ type: string; code?: number; subcode?: number }> = [];
      let closed = false;
      sock.on('data', (c: Buffer) => {
        for (const m of framer.push(new Uint8Array(c)).messages) {
          const d = decodeBgpMessage(m);
          if (d.ok) messages.push(d.value.message as { type: string });
        }
      });
      sock.on('close', () => {
        closed = true;
      });
      await new Promise<void>((res) => sock.once('connect', () => res()));
      sock.write(encodeBgpMessage({ type: 'open', version: 4, myAs: 65000, holdTimeSec: 9, bgpId: '192.0.2.99', capabilities: [{ kind: 'multiprotocol', afi: 1, safi: 133 }, { kind: 'four-octet-as', asn: 65000 }] }));
      sock.write(encodeBgpMessage({ type: 'keepalive' }));
      await until('established', () => r.status()[0]!.established);
      for (const m of afterOpen) sock.write(m);
      await new Promise((res) => setTimeout(res, 300));
      sock.destroy();
      return { messages, closed };
    };
    const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
    // A malformed Flowspec NLRI (unknown component 14) next to a good one: no NOTIFICATION, good one kept.
    const mixed = encodeBgpMessage({
      type: 'update',
      withdrawn: [],
      nlri: [],
      attributes: [
        { code: 1, flags: 0x40, origin: 'igp' },
        { code: 2, flags: 0x40, segments: [{ type: 'sequence', asns: [65000] }] },
        {
          code: 14,
          flags: 0x80,
          afi: 1,
          safi: 133,
          nextHop: '',
          nlri: { kind: 'flowspec', items: [{ hex: '0e8106' }, { nlri: { family: 'ipv4', components: [{ type: 1, prefix: '10.0.0.0/24', offset: 0 }] } }] },
        },
      ],
    });
    const good = await talk([mixed]);
    expect(good.messages.map((m) => m.type)).not.toContain('notification');
    expect(r.adjRibIn('controller').map((x) => x.rule.match.destination)).toEqual(['10.0.0.0/24']);
    // Attribute list overrunning the message: NOTIFICATION 3/1, session reset.
    const bad = await talk([hex('ffffffffffffffffffffffffffffffff 0017 02 0000 00ff')]);
    expect(bad.messages.find((m) => m.type === 'notification')).toMatchObject({ code: 3, subcode: 1 });
    // Broken marker: NOTIFICATION 1/1.
    const marker = await talk([hex('ffffffffffffffffffffffffffffff00 0013 04')]);
    expect(marker.messages.find((m) => m.type === 'notification')).toMatchObject({ code: 1, subcode: 1 });
    // A connection from an address no passive peer has is closed and reported.
    const stranger = new FlowspecSpeaker({ localAs: 65102, routerId: '192.0.2.12', listen: { host: '127.0.0.1', port: 0 } });
    speakers.push(stranger);
    await stranger.start();
    stranger.addPeer({ id: 'elsewhere', address: '127.0.0.9', passive: true });
    const rejected = new Promise<string>((res) => stranger.once('inbound-rejected', (_remote, code) => res(code)));
    const probe = connect({ host: '127.0.0.1', port: stranger.port! });
    probe.on('error', () => undefined);
    expect(await rejected).toBe('bgp_peer_unknown');
    probe.destroy();
    // The speaker still takes a well-behaved session afterwards.
    const again = await talk([]);
    // OPEN, KEEPALIVE, then End-of-RIB UPDATEs for its (empty) Adj-RIB-Out; no NOTIFICATION.
    expect(again.messages.map((m) => m.type).slice(0, 2)).toEqual(['open', 'keepalive']);
    expect(again.messages.map((m) => m.type)).not.toContain('notification');
  }, 30_000);
});
