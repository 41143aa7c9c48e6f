// TCP driver for one BGP session: performs the FSM's actions (connect, send, timers) and feeds
// socket and timer outcomes back as events. All protocol decisions live in ../fsm.ts.
import { EventEmitter } from 'node:events';
import { type Socket, connect } from 'node:net';
import { unreachable } from '../../lib/assert.js';
import { type FsmAction, type FsmConfig, type FsmEvent, type FsmState, type Negotiated, type SessionDown, type TimerName, initialFsmState, step } from '../fsm.js';
import { MessageFramer, decodeBgpMessage, encodeBgpMessage } from '../messages/index.js';
import type { AddressFamily, DecodeContext, DecodedMessage } from '../messages/types.js';
import type { Ipv6OffsetLayout } from '../../flowspec/index.js';

export interface SessionOptions extends FsmConfig {
  readonly peerAddress: string;
  readonly peerPort: number;
  readonly localAddress?: string;
  /** Keep the last N FSM events (with timestamps) for post-mortems; 0 keeps none. */
  readonly eventLogSize?: number;
  /** IPv6 Flowspec prefix-offset layout this peer uses (default RFC 8956). */
  readonly ipv6OffsetLayout?: Ipv6OffsetLayout;
}

export interface SessionEvents {
  state: [name: FsmState['name']];
  established: [negotiated: Negotiated];
  down: [down: SessionDown];
  update: [decoded: DecodedMessage];
  'route-refresh': [family: AddressFamily];
}

/** Bytes queued before a write is forced out (batches many small UPDATEs into one syscall). */
const WRITE_BATCH_BYTES = 64 * 1024;

export class BgpSession extends EventEmitter<SessionEvents> {
  private fsm: FsmState;
  private socket: Socket | undefined;
  private generation = 0;
  private framer = new MessageFramer();
  private readonly timers = new Map<TimerName, NodeJS.Timeout>();
  private readonly queue: FsmEvent[] = [];
  private running = false;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  readonly eventLog: Array<{ atMs: number; event: FsmEvent }> = [];

  constructor(readonly options: SessionOptions) {
    super();
    this.fsm = initialFsmState(options);
  }

  get state(): FsmState {
    return this.fsm;
  }

  get established(): boolean {
    return this.fsm.name === 'Established';
  }

  start(): void {
    this.dispatch({ type: 'start' });
  }

  /** Stop with Cease/Administrative Shutdown; resolves once the connection is closed. */
  async stop(reason?: string): Promise<void> {
    const socket = this.socket;
    this.dispatch({ type: 'stop', ...(reason ? { reason } : {}) });
    if (socket && !socket.destroyed) await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /**
   * Offer an inbound connection (from the speaker's listener). Accepted only while the FSM
   * waits for one (Active/Connect); otherwise the caller closes it (RFC 4271 §6.8 reduced to
   * "the existing session wins").
   */
  acceptConnection(socket: Socket): boolean {
    if (this.fsm.name !== 'Active' && this.fsm.name !== 'Connect') return false;
    this.dropSocket();
    this.adopt(socket);
    this.dispatch({ type: 'tcp-connected' });
    return true;
  }

  /** Queue already-encoded messages; returns false if the session is not Established. */
  sendRaw(messages: readonly Uint8Array[]): boolean {
    if (!this.established || !this.socket) return false;
    for (const m of messages) {
      this.pending.push(m);
      this.pendingBytes += m.length;
      if (this.pendingBytes >= WRITE_BATCH_BYTES) this.flushWrites();
    }
    this.flushWrites();
    return true;
  }

  /** Resolves when everything written so far has left the socket buffer. */
  async drained(): Promise<void> {
    const s = this.socket;
    if (!s || s.destroyed || s.writableLength === 0) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.once('drain', done);
      s.once('close', done);
    });
  }

  /** Feed an event (also used by tests to drive the session). */
  dispatch(event: FsmEvent): void {
    this.queue.push(event);
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const e = this.queue.shift()!;
        if (this.options.eventLogSize) {
          this.eventLog.push({ atMs: Date.now(), event: e });
          if (this.eventLog.length > this.options.eventLogSize) this.eventLog.shift();
        }
        const before = this.fsm.name;
        const r = step(this.fsm, e);
        this.fsm = r.state;
        for (const a of r.actions) this.perform(a);
        if (this.fsm.name !== before) this.emit('state', this.fsm.name);
      }
    } finally {
      this.running = false;
    }
  }

  private perform(a: FsmAction): void {
    switch (a.type) {
      case 'connect':
        this.openConnection();
        return;
      case 'disconnect':
        this.dropSocket();
        return;
      case 'send':
        if (this.socket && !this.socket.destroyed) {
          this.pending.push(encodeBgpMessage(a.message, this.decodeContext()));
          this.flushWrites();
        }
        return;
      case 'set-timer': {
        const old = this.timers.get(a.timer);
        if (old) clearTimeout(old);
        const t = setTimeout(() => {
          this.timers.delete(a.timer);
          this.dispatch({ type: 'timer', timer: a.timer });
        }, a.ms);
        t.unref();
        this.timers.set(a.timer, t);
        return;
      }
      case 'clear-timer': {
        const t = this.timers.get(a.timer);
        if (t) clearTimeout(t);
        this.timers.delete(a.timer);
        return;
      }
      case 'established':
        this.emit('established', a.negotiated);
        return;
      case 'down':
        this.emit('down', a.down);
        return;
      case 'update':
        this.emit('update', a.decoded);
        return;
      case 'route-refresh':
        this.emit('route-refresh', a.family);
        return;
      default:
        unreachable(a, 'action');
    }
  }

  private decodeContext(): DecodeContext {
    return { fourOctetAs: this.fsm.negotiated?.fourOctetAs ?? true, ipv6OffsetLayout: this.options.ipv6OffsetLayout ?? 'rfc8956' };
  }

  private flushWrites(): void {
    const s = this.socket;
    if (!s || s.destroyed || this.pending.length === 0) return;
    const chunk = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    s.write(chunk);
  }

  private openConnection(): void {
    this.dropSocket();
    const socket = connect({ host: this.options.peerAddress, port: this.options.peerPort, ...(this.options.localAddress ? { localAddress: this.options.localAddress } : {}) });
    const gen = this.adopt(socket);
    socket.once('connect', () => {
      if (gen === this.generation) this.dispatch({ type: 'tcp-connected' });
    });
  }

  private adopt(socket: Socket): number {
    this.socket = socket;
    this.framer = new MessageFramer();
    const gen = ++this.generation;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (gen !== this.generation) return;
      const { messages, error } = this.framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      for (const m of messages) {
        if (gen !== this.generation) return;
        const decoded = decodeBgpMessage(m, this.decodeContext());
        this.dispatch(decoded.ok ? { type: 'message', decoded: decoded.value } : { type: 'decode-error', error: decoded.error });
      }
      if (error && gen === this.generation) this.dispatch({ type: 'decode-error', error });
    });
    const failed = (message: string): void => {
      if (gen === this.generation) this.dispatch({ type: 'tcp-failed', message });
    };
    socket.on('error', (e) => failed(e.message));
    socket.on('close', () => failed('connection closed'));
    return gen;
  }

  private dropSocket(): void {
    const s = this.socket;
    this.socket = undefined;
    this.generation++;
    this.pending = [];
    this.pendingBytes = 0;
    if (!s || s.destroyed) return;
    // Let a just-written NOTIFICATION go out before the FIN; force-close if the peer stalls.
    s.end();
    setTimeout(() => s.destroy(), 2_000).unref();
  }
}
