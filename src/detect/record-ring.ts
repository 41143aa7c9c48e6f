// Fixed-capacity ring of FlowRecords in arrival order: the newest `capacity` records, with the
// oldest dropped first (by count or by age). O(1) per push and per dropped record.
import type { FlowRecord } from '../telemetry/flow-record.js';

export class RecordRing {
  private readonly buf: Array<FlowRecord | undefined>;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.buf = new Array<FlowRecord | undefined>(Math.max(1, capacity));
  }

  get size(): number {
    return this.count;
  }

  /** Adds a record; returns 1 if the ring grew, 0 if it overwrote its oldest record. */
  push(f: FlowRecord): 0 | 1 {
    const cap = this.buf.length;
    if (this.count < cap) {
      this.buf[(this.head + this.count) % cap] = f;
      this.count++;
      return 1;
    }
    this.buf[this.head] = f;
    this.head = (this.head + 1) % cap;
    return 0;
  }

  /** Drops records from the old end while they are older than `timestampMs`; returns how many. */
  dropOlderThan(timestampMs: number): number {
    const cap = this.buf.length;
    let dropped = 0;
    while (this.count > 0 && this.buf[this.head]!.timestampMs < timestampMs) {
      this.buf[this.head] = undefined;
      this.head = (this.head + 1) % cap;
      this.count--;
      dropped++;
    }
    return dropped;
  }

  /** Records oldest first, optionally filtered. */
  toArray(keep?: (f: FlowRecord) => boolean): FlowRecord[] {
    const out: FlowRecord[] = [];
    const cap = this.buf.length;
    for (let i = 0; i < this.count; i++) {
      const f = this.buf[(this.head + i) % cap]!;
      if (!keep || keep(f)) out.push(f);
    }
    return out;
  }
}
