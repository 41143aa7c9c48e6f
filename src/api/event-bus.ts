// In-process event bus for live dashboard updates (SSE), with a bounded replay buffer
// so a client that reconnects with Last-Event-ID misses nothing recent.

export interface BusEvent {
  readonly id: number;
  readonly type: string;
  readonly atMs: number;
  readonly data: unknown;
}

type Listener = (e: BusEvent) => void;

export class EventBus {
  private nextId = 1;
  private readonly buffer: BusEvent[] = [];
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly nowMs: () => number,
    private readonly capacity = 1000,
  ) {}

  publish(type: string, data: unknown): BusEvent {
    const e: BusEvent = { id: this.nextId++, type, atMs: this.nowMs(), data };
    this.buffer.push(e);
    if (this.buffer.length > this.capacity) this.buffer.splice(0, this.buffer.length - this.capacity);
    for (const l of this.listeners) l(e);
    return e;
  }

  /** Events after `afterId` still in the buffer. */
  since(afterId: number): BusEvent[] {
    return this.buffer.filter((e) => e.id > afterId);
  }

  recent(type?: string, limit = 100): BusEvent[] {
    const all = type ? this.buffer.filter((e) => e.type === type) : this.buffer;
    return all.slice(-limit);
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}
