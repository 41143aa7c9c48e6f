// An enforcement point on a Linux host: rules rendered to nftables and loaded atomically into a
// network namespace; installation confirmed and counters read back from the kernel.
import { spawnSync } from 'node:child_process';
import { loadavg, totalmem, freemem } from 'node:os';
import type { Artifact, PopHealth } from '../../enforcement.js';
import type { MitigationRule } from '../../../rules/model.js';
import { renderRules } from '../../../rules/render/index.js';
import { type RuleCounter, parseNftCounters } from '../protocol.js';

export class NftHostError extends Error {
  override name = 'NftHostError';
}

export class NftHost {
  private readonly rules = new Map<string, MitigationRule>();

  constructor(
    readonly popId: string,
    readonly netns: string,
    readonly table = 'failsmall',
  ) {}

  private nft(args: readonly string[], input?: string): string {
    const r = spawnSync('ip', ['netns', 'exec', this.netns, 'nft', ...args], { encoding: 'utf8', timeout: 15_000, ...(input !== undefined ? { input } : {}) });
    if (r.status !== 0) throw new NftHostError(`nft ${args.join(' ')} in ${this.netns} failed: ${(r.stderr || r.error?.message || '').trim()}`);
    return r.stdout;
  }

  /** Replace the whole table atomically with the current rule set. */
  private load(): void {
    const r = renderRules([...this.rules.values()], 'nftables', { nftTable: this.table });
    const refused = r.findings.filter((f) => f.severity === 'error');
    if (refused.length > 0) throw new NftHostError(`cannot express in nftables: ${refused.map((f) => f.message).join('; ')}`);
    this.nft(['-f', '-'], r.text);
  }

  apply(artifact: Artifact): void {
    if (artifact.kind !== 'flowspec') throw new NftHostError(`an nftables host enforces flowspec rules, not ${artifact.kind}`);
    const before = new Map(this.rules);
    for (const id of artifact.withdraw) this.rules.delete(id);
    for (const rule of artifact.add) this.rules.set(rule.id, rule);
    try {
      this.load();
    } catch (e) {
      this.rules.clear();
      for (const [k, v] of before) this.rules.set(k, v); // nothing already accepted is lost
      throw e;
    }
  }

  revert(artifact: Artifact): void {
    if (artifact.kind !== 'flowspec') return;
    for (const r of artifact.add) this.rules.delete(r.id);
    this.load();
  }

  counters(): RuleCounter[] {
    try {
      return parseNftCounters(this.nft(['-j', 'list', 'table', 'inet', this.table]));
    } catch (e) {
      if (e instanceof NftHostError && /No such file|does not exist/i.test(e.message)) return [];
      throw e;
    }
  }

  /** Rule ids present in the kernel's ruleset (read back, not assumed). */
  installed(): string[] {
    return this.counters().map((c) => c.ruleId);
  }

  health(nowMs: number): PopHealth {
    const installed = this.installed();
    return {
      popId: this.popId,
      atMs: nowMs,
      routers: [{ routerId: `${this.popId}-nft`, up: true, cpu: Math.min(1, loadavg()[0]! / 4), memory: 1 - freemem() / totalmem(), bgpEstablished: true, installedRuleIds: installed, crashes: 0 }],
      httpErrorRate: 0,
      trafficFailing: 0,
    };
  }

  /** Remove the table (shutdown / cleanup). */
  flush(): void {
    spawnSync('ip', ['netns', 'exec', this.netns, 'nft', 'delete', 'table', 'inet', this.table], { timeout: 10_000 });
    this.rules.clear();
  }
}
