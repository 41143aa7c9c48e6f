// Per-peer Adj-RIB-Out (RFC 4271 §3.2): the Flowspec routes we advertise to one peer, keyed by
// NLRI, with the rule that put each there. Announcing and withdrawing return exactly the wire
// changes needed (nothing for a repeat), so scoped rollouts and withdrawals are exact. Pure.
import { bytesToHex } from '../lib/byte-writer.js';
import { encodeExtCommunity, encodeFlowspecNlriValue, withLengthPrefix, type FlowspecRoute } from '../flowspec/index.js';
import type { MitigationRule } from '../rules/model.js';
import { AFI } from './messages/constants.js';
import type { OutgoingAnnouncement, OutgoingNlri } from './update-builder.js';

export interface RibOutEntry extends OutgoingAnnouncement {
  /** "afi:hex-of-NLRI-value", unique per NLRI. */
  readonly key: string;
  readonly rule: MitigationRule;
  readonly route: FlowspecRoute;
}

export type RibChange =
  | { readonly kind: 'announce'; readonly entry: RibOutEntry }
  | { readonly kind: 'withdraw'; readonly key: string; readonly nlri: OutgoingNlri; readonly ruleId: string };

/** Encode a rule's route into a RIB entry (wire bytes computed once). */
export function ribEntryFor(rule: MitigationRule, route: FlowspecRoute): RibOutEntry {
  const value = encodeFlowspecNlriValue(route.nlri);
  const afi = route.nlri.family === 'ipv4' ? AFI.ipv4 : AFI.ipv6;
  return {
    key: `${afi}:${bytesToHex(value)}`,
    afi,
    bytes: withLengthPrefix(value),
    communities: route.communities,
    attributesKey: route.communities.map((c) => bytesToHex(encodeExtCommunity(c))).join(','),
    rule,
    route,
  };
}

export class AdjRibOut {
  private readonly byKey = new Map<string, RibOutEntry>();
  private readonly keyByRule = new Map<string, string>();

  get size(): number {
    return this.byKey.size;
  }

  /** Add or replace entries; returns the wire changes (a rule whose NLRI changed withdraws its old one). */
  announce(entries: readonly RibOutEntry[]): RibChange[] {
    const changes: RibChange[] = [];
    for (const e of entries) {
      const oldKey = this.keyByRule.get(e.rule.id);
      if (oldKey !== undefined && oldKey !== e.key) {
        const old = this.byKey.get(oldKey)!;
        this.byKey.delete(oldKey);
        changes.push({ kind: 'withdraw', key: oldKey, nlri: { afi: old.afi, bytes: old.bytes }, ruleId: old.rule.id });
      }
      const holder = this.byKey.get(e.key);
      if (holder && holder.rule.id !== e.rule.id) this.keyByRule.delete(holder.rule.id);
      this.keyByRule.set(e.rule.id, e.key);
      this.byKey.set(e.key, e);
      if (holder && holder.attributesKey === e.attributesKey) continue; // already on the wire as is
      changes.push({ kind: 'announce', entry: e });
    }
    return changes;
  }

  /** Remove rules by id; returns the withdrawals to send (unknown ids change nothing). */
  withdraw(ruleIds: Iterable<string>): RibChange[] {
    const changes: RibChange[] = [];
    for (const id of ruleIds) {
      const key = this.keyByRule.get(id);
      if (key === undefined) continue;
      const e = this.byKey.get(key)!;
      this.keyByRule.delete(id);
      this.byKey.delete(key);
      changes.push({ kind: 'withdraw', key, nlri: { afi: e.afi, bytes: e.bytes }, ruleId: id });
    }
    return changes;
  }

  withdrawAll(): RibChange[] {
    return this.withdraw([...this.keyByRule.keys()]);
  }

  has(ruleId: string): boolean {
    return this.keyByRule.has(ruleId);
  }

  entries(): IterableIterator<RibOutEntry> {
    return this.byKey.values();
  }

  get(key: string): RibOutEntry | undefined {
    return this.byKey.get(key);
  }

  ruleIds(): string[] {
    return [...this.keyByRule.keys()];
  }
}
