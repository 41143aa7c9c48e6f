// A small, honest in-memory EnforcementTarget for executor tests: each PoP holds Flowspec rules
// (by id, with their definitions), a WAF pattern set with the previous one, and a data-file
// version. Faults are explicit: PoPs that refuse applies, PoPs that cannot be reached, routers
// that crash, and a "control plane death" at the n-th side effect (see CrashPlan).
import type { Artifact, EnforcementTarget, PopHealth } from '../../src/fleet/enforcement.js';
import type { MitigationRule } from '../../src/rules/model.js';

/** Thrown when the simulated control-plane process dies; nothing after it runs. */
export class Crash extends Error {
  override name = 'Crash';
}

/**
 * Counts side effects (enforcement calls, store writes) and kills the process at the n-th one,
 * either before it takes effect or right after (the effect happened, nobody heard of it).
 */
export class CrashPlan {
  calls = 0;
  dead = false;
  constructor(
    private readonly crashAt = Number.POSITIVE_INFINITY,
    private readonly when: 'before' | 'after' = 'before',
  ) {}

  check(): void {
    if (this.dead) throw new Crash('the control plane is dead');
  }

  /** Run one side effect under the plan. */
  async effect<T>(fn: () => Promise<T>): Promise<T> {
    this.check();
    const n = ++this.calls;
    if (n === this.crashAt && this.when === 'before') {
      this.dead = true;
      throw new Crash(`died before side effect ${n}`);
    }
    try {
      return await fn();
    } finally {
      // after the effect, whether it succeeded or failed: the process dies before it hears back
      if (n === this.crashAt) {
        this.dead = true;
        // biome-ignore lint/correctness/noUnsafeFinally: replacing the outcome is the point
        throw new Crash(`died after side effect ${n}`);
      }
    }
  }
}

interface PopState {
  rules: Map<string, MitigationRule>;
  waf: { patterns: string[]; previous: string[] };
  dataFile: { version: string; previous?: string };
  crashes: number;
}

export class MemoryFleet implements EnforcementTarget {
  private readonly pops = new Map<string, PopState>();
  /** PoPs whose applies fail (the device refuses the commit). */
  readonly refuse = new Set<string>();
  /** PoPs no call reaches. */
  readonly unreachable = new Set<string>();
  /** Enforcement calls made, in order ("apply p0", "revert p1"). */
  readonly log: string[] = [];
  /** Milliseconds each enforcement call takes (a real agent is not instant). */
  latencyMs = 0;
  /** Router memory used per installed rule (share of 1), over a 20% baseline. */
  memoryPerRule = 0.01;
  crash: CrashPlan = new CrashPlan();

  constructor(popIds: readonly string[]) {
    for (const id of popIds) this.pops.set(id, { rules: new Map(), waf: { patterns: [], previous: [] }, dataFile: { version: 'v0' }, crashes: 0 });
  }

  private pop(popId: string): PopState {
    if (this.unreachable.has(popId)) throw new Error(`${popId} unreachable`);
    const p = this.pops.get(popId);
    if (!p) throw new Error(`unknown PoP ${popId}`);
    return p;
  }

  private async wait(): Promise<void> {
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
  }

  async apply(popId: string, a: Artifact): Promise<void> {
    this.crash.check();
    await this.wait();
    await this.crash.effect(async () => {
      const p = this.pop(popId);
      if (this.refuse.has(popId)) throw new Error(`${popId} refused the commit`);
      this.log.push(`apply ${popId}`);
      switch (a.kind) {
        case 'flowspec':
          for (const id of a.withdraw) p.rules.delete(id);
          for (const r of a.add) p.rules.set(r.id, r);
          break;
        case 'waf-regex':
          p.waf = { patterns: a.rules.map((r) => r.pattern), previous: p.waf.patterns };
          break;
        case 'data-file':
          p.dataFile = { version: a.version, previous: p.dataFile.version };
          break;
      }
    });
  }

  async revert(popId: string, a: Artifact): Promise<void> {
    this.crash.check();
    await this.wait();
    await this.crash.effect(async () => {
      const p = this.pop(popId);
      this.log.push(`revert ${popId}`);
      switch (a.kind) {
        case 'flowspec':
          // Withdraws only what the artifact added; re-announcing what it withdrew is the caller's job.
          for (const r of a.add) p.rules.delete(r.id);
          break;
        case 'waf-regex':
          p.waf = { patterns: p.waf.previous, previous: [] };
          break;
        case 'data-file':
          if (p.dataFile.previous) p.dataFile = { version: p.dataFile.previous };
          break;
      }
    });
  }

  async health(popId: string): Promise<PopHealth> {
    this.crash.check();
    const p = this.pop(popId);
    return {
      popId,
      atMs: 0,
      httpErrorRate: 0,
      trafficFailing: 0,
      routers: [{ routerId: `${popId}-r1`, up: true, cpu: 0.1, memory: 0.2 + p.rules.size * this.memoryPerRule, bgpEstablished: true, installedRuleIds: [...p.rules.keys()].sort(), crashes: p.crashes }],
    };
  }

  async installed(popId: string): Promise<readonly string[]> {
    this.crash.check();
    return [...this.pop(popId).rules.keys()].sort();
  }

  /** Test view, no faults: rule ids a PoP holds. */
  held(popId: string): string[] {
    return [...(this.pops.get(popId)?.rules.keys() ?? [])].sort();
  }

  ruleAt(popId: string, id: string): MitigationRule | undefined {
    return this.pops.get(popId)?.rules.get(id);
  }

  wafAt(popId: string): readonly string[] {
    return this.pops.get(popId)?.waf.patterns ?? [];
  }

  /** A router at the PoP crashes (and comes back): the no-crash gate must see it. */
  crashRouter(popId: string): void {
    this.pops.get(popId)!.crashes++;
  }
}
