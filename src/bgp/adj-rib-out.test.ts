import { describe, expect, it } from 'vitest';
import type { MitigationRule } from '../rules/model.js';
import { ruleToFlowspec } from '../flowspec/index.js';
import { AdjRibOut, type RibOutEntry, ribEntryFor } from './adj-rib-out.js';
import { buildAnnounceUpdates, buildEndOfRib, buildWithdrawUpdates } from './update-builder.js';
import { decodeBgpMessage } from './messages/index.js';
import type { PathAttribute } from './messages/types.js';

function rule(id: string, i: number, action: MitigationRule['action'] = { kind: 'discard' }): MitigationRule {
  return { id, family: i % 7 === 0 ? 'ipv6' : 'ipv4', match: i % 7 === 0 ? { destination: `2001:db8:${i.toString(16)}::/48` } : { destination: `10.${(i >> 8) & 255}.${i & 255}.0/24`, destinationPorts: [{ min: 53, max: 53 }] }, action, scope: { kind: 'global' }, provenance: {} };
}

function entry(r: MitigationRule): RibOutEntry {
  const enc = ruleToFlowspec(r);
  if (!enc.ok) throw new Error(enc.error.message);
  return ribEntryFor(r, enc.value);
}

function attrs(bytes: Uint8Array, fourOctetAs = true): readonly PathAttribute[] {
  const d = decodeBgpMessage(bytes, { fourOctetAs });
  if (!d.ok) throw new Error(d.error.message);
  if (d.value.message.type !== 'update') throw new Error('not an update');
  expect(d.value.issues).toEqual([]);
  return d.value.message.attributes;
}

function nlriCount(a: readonly PathAttribute[]): number {
  return a.reduce((n, x) => n + ('nlri' in x && x.nlri.kind === 'flowspec' ? x.nlri.items.length : 0), 0);
}

describe('AdjRibOut', () => {
  it('returns exactly the wire changes', () => {
    const rib = new AdjRibOut();
    expect(rib.announce([entry(rule('a', 1)), entry(rule('b', 2))]).map((c) => c.kind)).toEqual(['announce', 'announce']);
    expect(rib.announce([entry(rule('a', 1))])).toEqual([]);
    expect(rib.announce([entry(rule('a', 1, { kind: 'rate-limit-bytes', bytesPerSec: 1000 }))]).map((c) => c.kind)).toEqual(['announce']);
    const moved = rib.announce([entry(rule('a', 3))]);
    expect(moved.map((c) => c.kind)).toEqual(['withdraw', 'announce']);
    expect(rib.withdraw(['nope'])).toEqual([]);
    expect(rib.withdraw(['b']).map((c) => c.kind)).toEqual(['withdraw']);
    expect(rib.ruleIds()).toEqual(['a']);
    expect(rib.withdrawAll()).toHaveLength(1);
    expect(rib.size).toBe(0);
  });

  it('shares one communities list per action set', () => {
    const rib = new AdjRibOut();
    rib.announce([entry(rule('a', 1)), entry(rule('b', 2))]);
    const [x, y] = [...rib.entries()];
    expect(x!.communities).toBe(y!.communities);
  });
});

describe('UPDATE packing', () => {
  const entries = Array.from({ length: 1000 }, (_, i) => entry(rule(`r${i}`, i, i % 2 ? { kind: 'discard' } : { kind: 'mark-dscp', dscp: 10 })));

  it('packs announcements into UPDATEs of at most 4096 bytes that decode back to every NLRI (eBGP)', () => {
    const ups = buildAnnounceUpdates({ localAs: 65000, peerAs: 65001, fourOctetAs: true }, entries);
    expect(ups.every((u) => u.length <= 4096)).toBe(true);
    expect(ups.length).toBeLessThan(40);
    let total = 0;
    for (const u of ups) {
      const a = attrs(u);
      total += nlriCount(a);
      expect(a[0]!.code).toBe(14); // MP_REACH_NLRI first
      expect(a.find((x) => x.code === 2)).toMatchObject({ segments: [{ type: 'sequence', asns: [65000] }] });
      expect(a.some((x) => x.code === 5)).toBe(false);
      expect(a.some((x) => x.code === 16)).toBe(true);
    }
    expect(total).toBe(1000);
  });

  it('uses an empty AS_PATH and LOCAL_PREF for iBGP, and 2-byte AS numbers without the capability', () => {
    const [ibgp] = buildAnnounceUpdates({ localAs: 65000, peerAs: 65000, fourOctetAs: true }, entries.slice(1, 2));
    const a = attrs(ibgp!);
    expect(a.find((x) => x.code === 2)).toMatchObject({ segments: [] });
    expect(a.find((x) => x.code === 5)).toMatchObject({ localPref: 100 });
    const [two] = buildAnnounceUpdates({ localAs: 65000, peerAs: 65001, fourOctetAs: false }, entries.slice(1, 2));
    expect(attrs(two!, false).find((x) => x.code === 2)).toMatchObject({ segments: [{ asns: [65000] }] });
  });

  it('packs withdrawals per family and builds End-of-RIB', () => {
    const ups = buildWithdrawUpdates(entries.map((e) => ({ afi: e.afi, bytes: e.bytes })));
    expect(ups.reduce((n, u) => n + nlriCount(attrs(u)), 0)).toBe(1000);
    for (const afi of [1, 2]) {
      const a = attrs(buildEndOfRib(afi));
      expect(a).toEqual([{ code: 15, flags: 0x90, afi, safi: 133, nlri: { kind: 'flowspec', items: [] } }]);
    }
  });
});
