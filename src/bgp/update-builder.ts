// Packs Flowspec announcements and withdrawals into as few UPDATE messages as fit in 4096 bytes
// (RFC 4271 §4), and builds End-of-RIB markers (RFC 4724 §2). Pure.
//
// Announcements with the same action communities share one UPDATE: MP_REACH_NLRI first
// (RFC 7606 §5.1), then ORIGIN IGP, AS_PATH (our AS for eBGP, empty for iBGP), LOCAL_PREF 100 for
// iBGP, EXTENDED_COMMUNITIES. Withdrawals go in MP_UNREACH_NLRI with no other attribute.
import { ByteWriter } from '../lib/byte-writer.js';
import { assert } from '../lib/assert.js';
import { writeExtCommunity, type FlowspecExtCommunity } from '../flowspec/index.js';
import { AFI, ATTR, ATTR_FLAG, HEADER_LENGTH, MAX_MESSAGE_LENGTH, MESSAGE_TYPE, SAFI } from './messages/constants.js';
import { writeAttribute } from './messages/update.js';
import type { DecodeContext, PathAttribute } from './messages/types.js';

export interface UpdateSession {
  readonly localAs: number;
  /** iBGP when the peer is in our AS. */
  readonly peerAs: number;
  readonly fourOctetAs: boolean;
}

/** One NLRI ready to send: its wire bytes (length prefix included) and family. */
export interface OutgoingNlri {
  readonly afi: number;
  /** Length-prefixed NLRI as it goes into MP_REACH/MP_UNREACH. */
  readonly bytes: Uint8Array;
}

export interface OutgoingAnnouncement extends OutgoingNlri {
  readonly communities: readonly FlowspecExtCommunity[];
  /** Groups announcements that can share an UPDATE (same communities). */
  readonly attributesKey: string;
}

function writeMarkerHeader(w: ByteWriter): number {
  for (let i = 0; i < 16; i++) w.u8(0xff);
  const at = w.reserve(2);
  w.u8(MESSAGE_TYPE.update);
  return at;
}

/** The path attributes after MP_REACH_NLRI, encoded once per attribute group. */
function encodeCommonAttributes(session: UpdateSession, communities: readonly FlowspecExtCommunity[]): Uint8Array {
  const ctx: DecodeContext = { fourOctetAs: session.fourOctetAs };
  const ibgp = session.localAs === session.peerAs;
  const attrs: PathAttribute[] = [
    { code: ATTR.origin, flags: ATTR_FLAG.transitive, origin: 'igp' },
    { code: ATTR.asPath, flags: ATTR_FLAG.transitive, segments: ibgp ? [] : [{ type: 'sequence', asns: [session.localAs] }] },
  ];
  if (ibgp) attrs.push({ code: ATTR.localPref, flags: ATTR_FLAG.transitive, localPref: 100 });
  const w = new ByteWriter(64);
  for (const a of attrs) writeAttribute(w, a, ctx);
  if (communities.length > 0) {
    const v = new ByteWriter(8 * communities.length);
    for (const c of communities) writeExtCommunity(v, c);
    const value = v.finish();
    w.u8(ATTR_FLAG.optional | ATTR_FLAG.transitive | (value.length > 255 ? ATTR_FLAG.extendedLength : 0)).u8(ATTR.extCommunities);
    if (value.length > 255) w.u16(value.length);
    else w.u8(value.length);
    w.bytes(value);
  }
  return w.finish();
}

/** Largest NLRI payload an UPDATE can carry next to the given attribute bytes. */
function nlriRoom(attributeBytes: number, reach: boolean): number {
  // header + withdrawn len + attr len + MP attribute header (flags, type, 2-byte length) + AFI/SAFI
  // (+ next hop length 0 and reserved byte for MP_REACH).
  return MAX_MESSAGE_LENGTH - HEADER_LENGTH - 4 - 4 - 3 - (reach ? 2 : 0) - attributeBytes;
}

function finish(w: ByteWriter, lengthAt: number): Uint8Array {
  w.setU16(lengthAt, w.length);
  assert(w.length <= MAX_MESSAGE_LENGTH, `UPDATE of ${w.length} bytes`);
  return w.finish();
}

function buildOne(afi: number, nlri: readonly Uint8Array[], nlriLength: number, common: Uint8Array | undefined): Uint8Array {
  const reach = common !== undefined;
  const mpValueLength = 3 + (reach ? 2 : 0) + nlriLength;
  const w = new ByteWriter(HEADER_LENGTH + 8 + mpValueLength + (common?.length ?? 0));
  const lengthAt = writeMarkerHeader(w);
  w.u16(0); // no IPv4 withdrawn routes
  const attrLengthAt = w.reserve(2);
  const attrStart = w.length;
  w.u8(ATTR_FLAG.optional | ATTR_FLAG.extendedLength).u8(reach ? ATTR.mpReach : ATTR.mpUnreach).u16(mpValueLength);
  w.u16(afi).u8(SAFI.flowspec);
  if (reach) w.u8(0).u8(0); // RFC 8955 §4: next hop length 0; reserved
  for (const b of nlri) w.bytes(b);
  if (common) w.bytes(common);
  w.setU16(attrLengthAt, w.length - attrStart);
  return finish(w, lengthAt);
}

function pack(afi: number, items: readonly Uint8Array[], room: number, common: Uint8Array | undefined, out: Uint8Array[]): void {
  let batch: Uint8Array[] = [];
  let length = 0;
  for (const b of items) {
    assert(b.length <= room, `NLRI of ${b.length} bytes cannot fit in an UPDATE`);
    if (length + b.length > room) {
      out.push(buildOne(afi, batch, length, common));
      batch = [];
      length = 0;
    }
    batch.push(b);
    length += b.length;
  }
  if (batch.length > 0) out.push(buildOne(afi, batch, length, common));
}

/** UPDATE messages (wire bytes) withdrawing the given NLRI, packed per family. */
export function buildWithdrawUpdates(withdrawals: readonly OutgoingNlri[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const afi of [AFI.ipv4, AFI.ipv6]) {
    const items = withdrawals.filter((x) => x.afi === afi).map((x) => x.bytes);
    if (items.length > 0) pack(afi, items, nlriRoom(0, false), undefined, out);
  }
  return out;
}

/** UPDATE messages (wire bytes) announcing the given NLRI, grouped by family and communities. */
export function buildAnnounceUpdates(session: UpdateSession, announcements: readonly OutgoingAnnouncement[]): Uint8Array[] {
  const groups = new Map<string, { afi: number; communities: readonly FlowspecExtCommunity[]; items: Uint8Array[] }>();
  for (const a of announcements) {
    const key = `${a.afi}|${a.attributesKey}`;
    let g = groups.get(key);
    if (!g) {
      g = { afi: a.afi, communities: a.communities, items: [] };
      groups.set(key, g);
    }
    g.items.push(a.bytes);
  }
  const out: Uint8Array[] = [];
  for (const g of groups.values()) {
    const common = encodeCommonAttributes(session, g.communities);
    pack(g.afi, g.items, nlriRoom(common.length, true), common, out);
  }
  return out;
}

/** End-of-RIB for a Flowspec family: an UPDATE with an empty MP_UNREACH_NLRI (RFC 4724 §2). */
export function buildEndOfRib(afi: number): Uint8Array {
  return buildOne(afi, [], 0, undefined);
}
