// An enforcement point on a Linux host: rules rendered to nftables (rules/render) and loaded
// atomically into a network namespace (`ip netns exec NS nft -f -`); installation confirmed and
// counters read back from the kernel (`nft -j list table inet T`), never assumed.
//
// The rule set the agent enforces is kept in a state file (when given) written after every
// successful load, so an agent that restarts puts back exactly what it had.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';
import { z } from 'zod';
import type { Artifact, PopHealth } from '../../enforcement.js';
import type { MitigationRule } from '../../../rules/model.js';
import { renderRules } from '../../../rules/render/index.js';
import { type RuleCounter, parseNftCounters, wireRuleSchema } from '../protocol.js';

export class NftHostError extends Error {
  override name = 'NftHostError';
}

export interface NftHostOptions {
  /** nftables table (inet family) the agent owns; default "failsmall". */
  readonly table?: string;
  /** Where the enforced rule set is kept across restarts (JSON). */
  readonly stateFile?: string;
}

const stateSchema = z.object({ popId: z.string(), rules: z.array(wireRuleSchema) });

export class NftHost {
  private readonly rules = new Map<string, MitigationRule>();
  readonly table: string;
  private readonly stateFile: string | undefined;
  private lastCpu: { softirq: number; total: number } | undefined;

  constructor(
    readonly popId: string,
    readonly netns: string,
    opts: NftHostOptions | string = {},
  ) {
    const o = typeof opts === 'string' ? { table: opts } : opts;
    this.table = o.table ?? 'failsmall';
    this.stateFile = o.stateFile;
  }

  private nft(args: readonly string[], input?: string): string {
    const r = spawnSync('ip', ['netns', 'exec', this.netns, 'nft', ...args], { encoding: 'utf8', timeout: 15_000, ...(input !== undefined ? { input } : {}) });
    if (r.status !== 0) throw new NftHostError(`nft ${args.join(' ')} in netns ${this.netns} failed: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`);
    return r.stdout;
  }

  /** Replace the whole table atomically with the current rule set, then record it. */
  private load(): void {
    const r = renderRules([...this.rules.values()], 'nftables', { nftTable: this.table });
    const refused = r.findings.filter((f) => f.severity === 'error');
    if (refused.length > 0) throw new NftHostError(`cannot express in nftables: ${refused.map((f) => f.message).join('; ')}`);
    this.nft(['-f', '-'], r.text);
    this.saveState();
  }

  private saveState(): void {
    if (!this.stateFile) return;
    const tmp = `${this.stateFile}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ popId: this.popId, rules: [...this.rules.values()] })}\n`);
    renameSync(tmp, this.stateFile);
  }

  /**
   * Put back what the state file says this agent enforced (after a restart). Returns the rule
   * ids restored. A state file for another PoP, or one that does not parse, is refused.
   */
  restore(): string[] {
    if (!this.stateFile || !existsSync(this.stateFile)) return [];
    let parsed: z.infer<typeof stateSchema>;
    try {
      parsed = stateSchema.parse(JSON.parse(readFileSync(this.stateFile, 'utf8')));
    } catch (e) {
      throw new NftHostError(`state file ${this.stateFile} is unreadable; move it away to start empty`, { cause: e });
    }
    if (parsed.popId !== this.popId) throw new NftHostError(`state file ${this.stateFile} belongs to PoP ${parsed.popId}, not ${this.popId}`);
    this.rules.clear();
    for (const rule of parsed.rules as MitigationRule[]) this.rules.set(rule.id, rule);
    this.load();
    return [...this.rules.keys()];
  }

  apply(artifact: Artifact): void {
    if (artifact.kind !== 'flowspec') throw new NftHostError(`an nftables host enforces Flowspec rules, not ${artifact.kind}`);
    const before = new Map(this.rules);
    for (const id of artifact.withdraw) this.rules.delete(id);
    for (const rule of artifact.add) this.rules.set(rule.id, rule);
    try {
      this.load();
    } catch (e) {
      this.rules.clear();
      for (const [k, v] of before) this.rules.set(k, v); // the kernel kept the old table: nothing already accepted is lost
      throw e;
    }
  }

  /** Undo an artifact: withdraw the rules it added (a withdraw is undone by re-announcing, which the caller owns). */
  revert(artifact: Artifact): void {
    if (artifact.kind !== 'flowspec') throw new NftHostError(`an nftables host enforces Flowspec rules, not ${artifact.kind}`);
    for (const r of artifact.add) this.rules.delete(r.id);
    this.load();
  }

  counters(): RuleCounter[] {
    let out: string;
    try {
      out = this.nft(['-j', 'list', 'table', 'inet', this.table]);
    } catch (e) {
      if (e instanceof NftHostError && /No such file|does not exist/i.test(e.message)) return [];
      throw e;
    }
    const counters = parseNftCounters(out);
    if (!counters) throw new NftHostError(`nft -j list table inet ${this.table} in netns ${this.netns} did not answer nft JSON`);
    return counters;
  }

  /** Rule ids present in the kernel's ruleset (read back, not assumed). */
  installed(): string[] {
    return this.counters().map((c) => c.ruleId);
  }

  health(nowMs: number): PopHealth {
    const installed = this.installed();
    const missing = [...this.rules.keys()].filter((id) => !installed.includes(id));
    return {
      popId: this.popId,
      atMs: nowMs,
      routers: [
        {
          routerId: `${this.popId}-nft`,
          up: true,
          cpu: this.packetCpuShare(),
          memory: 1 - freemem() / totalmem(),
          // The agent has no BGP session; "established" means its table is what it was told to hold.
          bgpEstablished: missing.length === 0,
          installedRuleIds: installed,
          crashes: 0,
        },
      ],
      httpErrorRate: 0,
      trafficFailing: 0,
    };
  }

  /**
   * Share of CPU time the kernel spent processing packets (softirq, where nftables rules run)
   * since the previous health report: what a heavy or pathological rule set drives up. Other
   * load on the host does not count. 0 when /proc/stat cannot be read.
   */
  private packetCpuShare(): number {
    let line: string | undefined;
    try {
      line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    } catch {
      return 0;
    }
    const f = (line ?? '').trim().split(/\s+/).slice(1).map(Number);
    if (f.length < 7 || f.some((x) => !Number.isFinite(x))) return 0;
    const now = { softirq: f[6]!, total: f.slice(0, 8).reduce((a, b) => a + b, 0) };
    const prev = this.lastCpu ?? { softirq: 0, total: 0 };
    this.lastCpu = now;
    const dt = now.total - prev.total;
    return dt > 0 ? Math.min(1, Math.max(0, (now.softirq - prev.softirq) / dt)) : 0;
  }

  /** Remove the table (shutdown / cleanup); the state file is kept unless asked. */
  flush(opts: { forgetState?: boolean } = {}): void {
    spawnSync('ip', ['netns', 'exec', this.netns, 'nft', 'delete', 'table', 'inet', this.table], { timeout: 10_000 });
    this.rules.clear();
    if (opts.forgetState) this.saveState();
  }
}
