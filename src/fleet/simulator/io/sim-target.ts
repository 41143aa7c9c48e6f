// EnforcementTarget over a FleetSimulation: what the rollout executor drives in the demo, the
// API server, the CLI and the scale benchmark. Time moves only when the owner advances it:
// `advance(ms)` moves the simulation (and the optional shared ManualClock) forward.
import type { ManualClock } from '../../../lib/clock.js';
import type { Artifact, EnforcementTarget, PopHealth } from '../../enforcement.js';
import { FleetError } from '../../codes.js';
import type { FleetSimulation } from '../simulation.js';

export class SimulationTarget implements EnforcementTarget {
  constructor(
    readonly sim: FleetSimulation,
    /** A clock the executor reads; advanced together with the simulation. */
    private readonly clock?: ManualClock,
  ) {}

  async apply(popId: string, artifact: Artifact): Promise<void> {
    this.sim.apply(popId, artifact);
  }

  async revert(popId: string, artifact: Artifact): Promise<void> {
    this.sim.revert(popId, artifact);
  }

  async health(popId: string): Promise<PopHealth> {
    return this.sim.popHealth(popId);
  }

  /** Flowspec rules the PoP holds (announced to it and not withdrawn). */
  async installed(popId: string): Promise<readonly string[]> {
    return this.sim.announcedAt(popId);
  }

  /** Move simulated time forward by `ms` (router reboots, crash loops and cascades happen here). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new FleetError('fleet_time_backwards', `advance expects a non-negative duration, got ${ms}`);
    this.clock?.advance(ms);
    this.sim.advance(this.clock ? this.clock.nowMs() : this.sim.nowMs + ms);
  }
}
