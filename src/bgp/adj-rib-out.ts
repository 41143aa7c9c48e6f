// Per-peer Adj-RIB-Out (RFC 4271 §3.2): the Flowspec routes we advertise to one peer, keyed by
// NLRI, with the rule that put each there. Announcing and withdrawing return exactly the wire
// changes needed (nothing for a repeat), so scoped rollouts and withdrawals are exact. Pure.
import { bytesToHex } from '../lib/byte-writer.js';
import { encodeExtCommunity, encodeFlowspecNlriValue, type FlowspecRoute } from '../flowspec/index.js';
import type { MitigationRule } from '../rules/model.js';
import { AFI } from './messages/constants.js';
import type { OutgoingAnnouncement, OutgoingNlri } from './update-builder.js';

export interface RibOutEntry extends OutgoingAnnouncement {
  /** "afi:hex-of-NLRI-value", unique per NLRI. */
  readonly key: string;
  readonly rule: MitigationRule;
}

export type RibChange =
  | { readonly kind: 'announce'; readonly entry: RibOutEntry }
  | { readonly kind: 'withdraw'; readonly key: string; readonly nlri: OutgoingNlri; readonly ruleId: string };

/** Encode a rule's route into a RIB entry (wire bytes computed once, in Node's pooled buffers). */
export function ribEntryFor(rule: MitigationRule, route: FlowspecRoute): RibOutEntry {
  const value = route.value ?? encodeFlowspecNlriValue(route.nlri);
  const afi = route.nlri.family === 'ipv4' ? AFI.ipv4 : AFI.ipv6;
  const prefixLength = value.length < 240 ? 1 : 2;
  const bytes = Buffer.allocUnsafe(prefixLength + value.length);
  if (prefixLength === 1) bytes[0] = value.length;
  else bytes.writeUInt16BE(0xf000 | value.length, 0);
  bytes.set(value, prefixLength);
  let attributesKey = '';
  for (const c of route.communities) attributesKey += bytesToHex(encodeExtCommunity(c));
  return { key: `${afi}:${bytesToHex(value)}`, afi, bytes, communities: route.communities, attributesKey, rule };
}

export class AdjRibOut {
  private readonly byKey = new Map<string, RibOutEntry>();
  private readonly keyByRule = new Map<string, string>();
  /** One communities array per distinct action set, shared by the entries that use it. */
  private readonly communities = new Map<string, { key: string; list: RibOutEntry['communities']; users: number }>();

  get size(): number {
    return this.byKey.size;
  }

  /** Add or replace entries; returns the wire changes (a rule whose NLRI changed withdraws its old one). */
  announce(entries: readonly RibOutEntry[]): RibChange[] {
    const changes: RibChange[] = [];
    for (const given of entries) {
      const e = this.intern(given);
      const oldKey = this.keyByRule.get(e.rule.id);
      if (oldKey !== undefined && oldKey !== e.key) {
        const old = this.byKey.get(oldKey)!;
        this.byKey.delete(oldKey);
        this.release(old);
        changes.push({ kind: 'withdraw', key: oldKey, nlri: { afi: old.afi, bytes: old.bytes }, ruleId: old.rule.id });
      }
      const holder = this.byKey.get(e.key);
      if (holder && holder.rule.id !== e.rule.id) this.keyByRule.delete(holder.rule.id);
      if (holder) this.release(holder);
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
      this.release(e);
      changes.push({ kind: 'withdraw', key, nlri: { afi: e.afi, bytes: e.bytes }, ruleId: id });
    }
    return changes;
  }

  private intern(e: RibOutEntry): RibOutEntry {
    const shared = this.communities.get(e.attributesKey);
    if (shared) {
      shared.users++;
      return shared.list === e.communities ? e : { ...e, communities: shared.list, attributesKey: shared.key };
    }
    this.communities.set(e.attributesKey, { key: e.attributesKey, list: e.communities, users: 1 });
    return e;
  }

  private release(e: RibOutEntry): void {
    const shared = this.communities.get(e.attributesKey);
    if (shared && --shared.users === 0) this.communities.delete(e.attributesKey);
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
