// EnforcementTarget over a FleetSimulation: what the rollout executor drives in the demo, the
// API server and the CLI. Time moves only when the owner advances the simulation.
import type { Artifact, EnforcementTarget, PopHealth } from '../../enforcement.js';
import type { FleetSimulation } from '../simulation.js';

export class SimulationTarget implements EnforcementTarget {
  constructor(readonly sim: FleetSimulation) {}

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
}
