// The Flowspec speaker: one local BGP speaker fanning out to many router peers, each with its
// own Adj-RIB-Out so announcing to a subset of peers (a scoped rollout) and withdrawing are exact.
// After a session flap the whole Adj-RIB-Out is announced again, then End-of-RIB.
// Received Flowspec routes are kept per peer (Adj-RIB-In) with RFC 7606 treat-as-withdraw applied.
import { EventEmitter } from 'node:events';
import { type Server, type Socket, createServer } from 'node:net';
import type { MitigationRule, RuleFamily } from '../../rules/model.js';
import { bytesToHex } from '../../lib/byte-writer.js';
import { type FlowspecEncodeError, type FlowspecExtCommunity, type FlowspecNlri, type Ipv6OffsetLayout, flowspecToRule, ruleToFlowspec } from '../../flowspec/index.js';
import { AdjRibOut, type RibChange, type RibOutEntry, ribEntryFor } from '../adj-rib-out.js';
import { FLOWSPEC_FAMILIES, type Negotiated, type SessionDown } from '../fsm.js';
import { BgpSession } from './session.js';
import { AFI, ATTR, SAFI } from '../messages/constants.js';
import type { AddressFamily, DecodedMessage, FlowspecNlriItem } from '../messages/types.js';
import { buildAnnounceUpdates, buildEndOfRib, buildWithdrawUpdates } from '../update-builder.js';

export interface SpeakerOptions {
  readonly localAs: number;
  readonly routerId: string;
  readonly holdTimeSec?: number;
  readonly connectRetrySec?: number;
  readonly idleHoldSec?: number;
  /** Accept inbound connections (passive peers) here; port 0 picks a free port. */
  readonly listen?: { readonly host: string; readonly port: number };
  /** Traffic-rate ID field (RFC 8955 §7.1); defaults to the local AS when it fits 2 bytes, else 0. */
  readonly rateAsn?: number;
  readonly gracefulRestartSec?: number;
}

export interface PeerOptions {
  readonly id: string;
  readonly address: string;
  readonly port?: number;
  /** Expected AS of the router; absent accepts any (e.g. the CLI's one-shot announce). */
  readonly peerAs?: number;
  /** Wait for the router to connect (needs `listen`). */
  readonly passive?: boolean;
  readonly families?: readonly RuleFamily[];
  readonly localAddress?: string;
  /**
   * IPv6 prefix-offset layout the router understands: 'rfc8956' (default) or 'full-prefix' for
   * speakers that implement the pre-RFC draft (GoBGP 3.10, ExaBGP 4.2). Same bytes when offset is 0.
   */
  readonly ipv6OffsetLayout?: Ipv6OffsetLayout;
}

export interface ReceivedRoute {
  readonly key: string;
  readonly nlri: FlowspecNlri;
  readonly communities: readonly FlowspecExtCommunity[];
  readonly rule: MitigationRule;
}

export interface PeerStatus {
  readonly id: string;
  readonly address: string;
  readonly state: string;
  readonly established: boolean;
  readonly negotiated?: Negotiated;
  readonly lastDown?: SessionDown;
  readonly advertised: number;
  readonly received: number;
  readonly flaps: number;
}

export interface ChangeReport {
  /** Rules the wire cannot carry, with why (nothing is sent for them). */
  readonly rejected: ReadonlyArray<{ readonly ruleId: string; readonly error: FlowspecEncodeError }>;
  /** Per peer: NLRI announced and withdrawn by this call. */
  readonly peers: ReadonlyArray<{ readonly id: string; readonly announced: number; readonly withdrawn: number }>;
}

export interface SpeakerEvents {
  established: [peerId: string, negotiated: Negotiated];
  down: [peerId: string, down: SessionDown];
  /** Adj-RIB-In of a peer changed. */
  received: [peerId: string, decoded: DecodedMessage];
  /** An inbound connection was closed: `bgp_peer_unknown` (no passive peer has that address) or `bgp_connection_failed` (its session is not waiting for one). */
  'inbound-rejected': [remote: string, code: 'bgp_peer_unknown' | 'bgp_connection_failed'];
}

interface Peer {
  readonly options: PeerOptions;
  readonly session: BgpSession;
  readonly rib: AdjRibOut;
  readonly ribIn: Map<string, ReceivedRoute>;
  /** NLRI keys whose wire state must be sent: latest intent wins (coalesced). */
  dirty: Map<string, RibChange>;
  flushScheduled: boolean;
  flaps: number;
}

function familyOf(afi: number): RuleFamily | undefined {
  return afi === AFI.ipv4 ? 'ipv4' : afi === AFI.ipv6 ? 'ipv6' : undefined;
}

export class FlowspecSpeaker extends EventEmitter<SpeakerEvents> {
  private readonly peers = new Map<string, Peer>();
  private server: Server | undefined;
  private listenPort: number | undefined;

  constructor(readonly options: SpeakerOptions) {
    super();
  }

  /** Start listening for passive peers (when configured). */
  async start(): Promise<void> {
    const listen = this.options.listen;
    if (!listen || this.server) return;
    const server = createServer((socket) => this.onInbound(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    this.listenPort = typeof addr === 'object' && addr ? addr.port : listen.port;
    this.server = server;
  }

  get port(): number | undefined {
    return this.listenPort;
  }

  addPeer(p: PeerOptions): void {
    if (this.peers.has(p.id)) throw new Error(`peer ${p.id} already exists`);
    const families: AddressFamily[] = (p.families ?? ['ipv4', 'ipv6']).map((f) => ({ afi: f === 'ipv4' ? AFI.ipv4 : AFI.ipv6, safi: SAFI.flowspec }));
    const session = new BgpSession({
      localAs: this.options.localAs,
      ...(p.peerAs !== undefined ? { peerAs: p.peerAs } : {}),
      routerId: this.options.routerId,
      holdTimeSec: this.options.holdTimeSec ?? 90,
      connectRetrySec: this.options.connectRetrySec ?? 5,
      idleHoldSec: this.options.idleHoldSec ?? 2,
      passive: p.passive ?? false,
      families: families.length > 0 ? families : FLOWSPEC_FAMILIES,
      peerAddress: p.address,
      peerPort: p.port ?? 179,
      ...(p.localAddress ? { localAddress: p.localAddress } : {}),
      ...(this.options.gracefulRestartSec !== undefined ? { gracefulRestartSec: this.options.gracefulRestartSec } : {}),
      ...(p.ipv6OffsetLayout ? { ipv6OffsetLayout: p.ipv6OffsetLayout } : {}),
      eventLogSize: 200,
    });
    const peer: Peer = { options: p, session, rib: new AdjRibOut(), ribIn: new Map(), dirty: new Map(), flushScheduled: false, flaps: 0 };
    session.on('established', (n) => this.onEstablished(peer, n));
    session.on('down', (d) => {
      if (d.code !== 'bgp_session_stopped') peer.flaps++;
      peer.dirty.clear();
      peer.ribIn.clear();
      this.emit('down', p.id, d);
    });
    session.on('update', (decoded) => this.onUpdate(peer, decoded));
    session.on('route-refresh', (family) => this.sendFamily(peer, family.afi));
    this.peers.set(p.id, peer);
    session.start();
  }

  async removePeer(id: string, reason = 'peer deconfigured'): Promise<void> {
    const peer = this.peers.get(id);
    if (!peer) return;
    this.peers.delete(id);
    await peer.session.stop(reason);
  }

  peerIds(): string[] {
    return [...this.peers.keys()];
  }

  private targets(peerIds: readonly string[] | undefined): Peer[] {
    if (!peerIds) return [...this.peers.values()];
    return peerIds.map((id) => {
      const p = this.peers.get(id);
      if (!p) throw new Error(`unknown peer ${id}`);
      return p;
    });
  }

  /** Put rules in the Adj-RIB-Out of the given peers (all by default) and send what changed. */
  announce(rules: readonly MitigationRule[], opts: { peers?: readonly string[] } = {}): ChangeReport {
    const rejected: Array<{ ruleId: string; error: FlowspecEncodeError }> = [];
    const rateAsn = this.options.rateAsn ?? (this.options.localAs <= 0xffff ? this.options.localAs : 0);
    // Encode once per IPv6 offset layout in use (nearly always just RFC 8956).
    const byLayout = new Map<Ipv6OffsetLayout, RibOutEntry[]>();
    const entriesFor = (layout: Ipv6OffsetLayout): RibOutEntry[] => {
      let entries = byLayout.get(layout);
      if (entries) return entries;
      entries = [];
      for (const rule of rules) {
        const enc = ruleToFlowspec(rule, { rateAsn, ipv6OffsetLayout: layout });
        if (enc.ok) entries.push(ribEntryFor(rule, enc.value));
        else if (!rejected.some((r) => r.ruleId === rule.id)) rejected.push({ ruleId: rule.id, error: enc.error });
      }
      byLayout.set(layout, entries);
      return entries;
    };
    entriesFor('rfc8956');
    const peers = this.targets(opts.peers).map((peer) => {
      const wanted = new Set<string>(this.familiesOf(peer));
      const entries = entriesFor(peer.options.ipv6OffsetLayout ?? 'rfc8956');
      const changes = peer.rib.announce(entries.filter((e) => wanted.has(familyOf(e.afi)!)));
      this.queue(peer, changes);
      return { id: peer.options.id, announced: changes.filter((c) => c.kind === 'announce').length, withdrawn: changes.filter((c) => c.kind === 'withdraw').length };
    });
    return { rejected, peers };
  }

  /** Remove rules from the Adj-RIB-Out of the given peers (all by default) and send withdrawals. */
  withdraw(ruleIds: readonly string[], opts: { peers?: readonly string[] } = {}): ChangeReport {
    const peers = this.targets(opts.peers).map((peer) => {
      const changes = peer.rib.withdraw(ruleIds);
      this.queue(peer, changes);
      return { id: peer.options.id, announced: 0, withdrawn: changes.length };
    });
    return { rejected: [], peers };
  }

  /** Kill switch: withdraw everything from the given peers (all by default). */
  withdrawAll(opts: { peers?: readonly string[] } = {}): ChangeReport {
    const peers = this.targets(opts.peers).map((peer) => {
      const changes = peer.rib.withdrawAll();
      this.queue(peer, changes);
      return { id: peer.options.id, announced: 0, withdrawn: changes.length };
    });
    return { rejected: [], peers };
  }

  adjRibOut(peerId: string): MitigationRule[] {
    const peer = this.peers.get(peerId);
    return peer ? [...peer.rib.entries()].map((e) => e.rule) : [];
  }

  adjRibIn(peerId: string): ReceivedRoute[] {
    const peer = this.peers.get(peerId);
    return peer ? [...peer.ribIn.values()] : [];
  }

  status(): PeerStatus[] {
    return [...this.peers.values()].map((p) => ({
      id: p.options.id,
      address: `${p.options.address}:${p.options.port ?? 179}`,
      state: p.session.state.name,
      established: p.session.established,
      ...(p.session.state.negotiated ? { negotiated: p.session.state.negotiated } : {}),
      ...(p.session.state.lastDown ? { lastDown: p.session.state.lastDown } : {}),
      advertised: p.rib.size,
      received: p.ribIn.size,
      flaps: p.flaps,
    }));
  }

  session(peerId: string): BgpSession | undefined {
    return this.peers.get(peerId)?.session;
  }

  /** Resolves when the peer is Established (rejects after timeoutMs). */
  async waitEstablished(peerId: string, timeoutMs = 30_000): Promise<Negotiated> {
    const peer = this.peers.get(peerId);
    if (!peer) throw new Error(`unknown peer ${peerId}`);
    if (peer.session.established && peer.session.state.negotiated) return peer.session.state.negotiated;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('established', on);
        const last = peer.session.state.lastDown;
        reject(new Error(`peer ${peerId} not established after ${timeoutMs} ms (state ${peer.session.state.name}${last ? `, last down: ${last.code} ${last.message}` : ''})`));
      }, timeoutMs);
      const on = (id: string, n: Negotiated): void => {
        if (id !== peerId) return;
        clearTimeout(timer);
        this.off('established', on);
        resolve(n);
      };
      this.on('established', on);
    });
  }

  /** Send everything queued now and wait until the sockets took it. */
  async flush(peerIds?: readonly string[]): Promise<void> {
    const peers = this.targets(peerIds);
    for (const p of peers) this.flushPeer(p);
    await Promise.all(peers.map((p) => p.session.drained()));
  }

  async stop(reason = 'failsmall speaker stopping'): Promise<void> {
    await Promise.all([...this.peers.values()].map((p) => p.session.stop(reason)));
    this.peers.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private familiesOf(peer: Peer): RuleFamily[] {
    return [...(peer.options.families ?? ['ipv4', 'ipv6'])];
  }

  private queue(peer: Peer, changes: readonly RibChange[]): void {
    if (changes.length === 0 || !peer.session.established) return; // sent in full on establishment
    for (const c of changes) peer.dirty.set(c.kind === 'announce' ? c.entry.key : c.key, c);
    if (!peer.flushScheduled) {
      peer.flushScheduled = true;
      setImmediate(() => this.flushPeer(peer));
    }
  }

  private flushPeer(peer: Peer): void {
    peer.flushScheduled = false;
    if (peer.dirty.size === 0 || !peer.session.established) return;
    const n = peer.session.state.negotiated!;
    const withdrawals = [];
    const announcements = [];
    for (const c of peer.dirty.values()) {
      if (c.kind === 'withdraw') withdrawals.push(c.nlri);
      else announcements.push(c.entry);
    }
    peer.dirty = new Map();
    peer.session.sendRaw([...buildWithdrawUpdates(withdrawals), ...buildAnnounceUpdates({ localAs: this.options.localAs, peerAs: n.peerAs, fourOctetAs: n.fourOctetAs }, announcements)]);
  }

  /** Full re-announce after (re)establishment, then End-of-RIB per family. */
  private onEstablished(peer: Peer, n: Negotiated): void {
    peer.dirty.clear();
    for (const f of n.families) this.sendFamily(peer, f.afi);
    this.emit('established', peer.options.id, n);
  }

  private sendFamily(peer: Peer, afi: number): void {
    const n = peer.session.state.negotiated;
    if (!n) return;
    const entries = [...peer.rib.entries()].filter((e) => e.afi === afi);
    peer.session.sendRaw([...buildAnnounceUpdates({ localAs: this.options.localAs, peerAs: n.peerAs, fourOctetAs: n.fourOctetAs }, entries), buildEndOfRib(afi)]);
  }

  private onInbound(socket: Socket): void {
    const remote = socket.remoteAddress?.replace(/^::ffff:/, '');
    const candidates = [...this.peers.values()].filter((p) => p.options.passive && p.options.address === remote);
    for (const p of candidates) if (p.session.acceptConnection(socket)) return;
    // RFC 4486 Cease/Connection Rejected would need an OPEN exchange first; just close.
    socket.destroy();
    this.emit('inbound-rejected', remote ?? '?', candidates.length === 0 ? 'bgp_peer_unknown' : 'bgp_connection_failed');
  }

  private onUpdate(peer: Peer, decoded: DecodedMessage): void {
    const m = decoded.message;
    if (m.type !== 'update') return;
    const ext = m.attributes.find((a) => a.code === ATTR.extCommunities);
    const communities = ext && 'communities' in ext ? (ext.communities as readonly FlowspecExtCommunity[]) : [];
    for (const attr of m.attributes) {
      if ((attr.code !== ATTR.mpReach && attr.code !== ATTR.mpUnreach) || !('nlri' in attr) || attr.nlri.kind !== 'flowspec') continue;
      const afi = 'afi' in attr ? attr.afi : 0;
      for (const item of attr.nlri.items as readonly FlowspecNlriItem[]) {
        const key = `${afi}:${item.hex ?? ''}`;
        // RFC 7606: treat-as-withdraw for the whole UPDATE, or for this malformed NLRI alone.
        if (attr.code === ATTR.mpUnreach || decoded.treatAsWithdraw || !item.nlri) {
          peer.ribIn.delete(key);
          continue;
        }
        const { rule } = flowspecToRule({ nlri: item.nlri, communities });
        peer.ribIn.set(key, { key, nlri: item.nlri, communities, rule: { ...rule, provenance: { reason: `received from BGP peer ${peer.options.id}` } } });
      }
    }
    this.emit('received', peer.options.id, decoded);
  }
}

/** Hex key helper for callers comparing NLRI. */
export function nlriKey(afi: number, value: Uint8Array): string {
  return `${afi}:${bytesToHex(value)}`;
}
