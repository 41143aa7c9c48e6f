// Time and randomness are passed into the pure core; these are the two sources.

export interface Clock {
  nowMs(): number;
}

/** Wall clock: for the I/O shell only (io/, store/, api/, cli/, main). */
export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock tests and the simulator advance by hand. */
export class ManualClock implements Clock {
  constructor(private t = 0) {}
  nowMs(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(ms: number): void {
    this.t = ms;
  }
}
