// The fleet simulator: PoPs and routers from a NetworkDescription with device resource models,
// known-defect behaviours (including hidden ones the validator does not know), per-PoP proxies
// for WAF and data-file changes, and anycast traffic that shifts to the nearest live PoPs with
// capacity limits, so a failure can cascade.
//
// Deterministic core: time advances only through advance(toMs); randomness comes from the seed.
// No I/O. The rollout executor reaches it through io/sim-target.ts (an EnforcementTarget).
import type { Artifact, PopHealth, RouterHealth } from '../enforcement.js';
import type { Advisory, DeviceModel } from '../device-model.js';
import { findDeviceModel, findTriggeredAdvisories } from '../device-models/index.js';
import type { NetworkDescription, Pop, Router } from '../network.js';
import type { MitigationRule } from '../../rules/model.js';
import { type Random, seededRandom } from '../../lib/random.js';
import { FleetError } from '../codes.js';
import { RegexUnsupportedError, compileRegex, measureRegexCost, sampleRequestCorpus } from '../../waf/index.js';

/** Requests per second one proxy core serves (modelled): what a regex's per-request cost is multiplied by. */
export const PROXY_REQUESTS_PER_CORE_SEC = 5000;

/**
 * Proxy CPU share (1 = a saturated core) a WAF regex set costs on the sample request corpus:
 * backtracking steps counted by the WAF checker's VM -> CPU µs per request -> share at
 * PROXY_REQUESTS_PER_CORE_SEC. A request that runs out of the step budget saturates the proxy.
 * Patterns the VM cannot model cost nothing here (the WAF check reports them).
 */
export function measureWafCpuShare(patterns: readonly string[], corpus: readonly string[]): number {
  let share = 0;
  for (const pattern of patterns) {
    try {
      const cost = measureRegexCost(compileRegex(pattern, ''), corpus);
      share += (cost.cpuMicrosPerRequest * PROXY_REQUESTS_PER_CORE_SEC) / 1e6 + (cost.exhausted > 0 ? 1 : 0);
    } catch (e) {
      if (!(e instanceof RegexUnsupportedError) && !(e instanceof SyntaxError)) throw e;
    }
  }
  return share;
}

export interface SimulationOptions {
  readonly seed: number;
  readonly startMs: number;
  /** Time a crashed router takes to reboot. */
  readonly rebootMs?: number;
  /** Share of routers that do not come back after a memory-exhaustion crash (2013: "many did not reboot"). */
  readonly noRebootShare?: number;
  /** Normal utilisation of each PoP's capacity. */
  readonly utilisation?: number;
  /** A PoP pushed past this multiple of its capacity falls over (routers crash and reboot). */
  readonly collapseFactor?: number;
  /** The proxy's consumer hard limit for generated feature files. */
  readonly featureLimit?: number;
  /** CPU share a WAF regex set costs a proxy; 0..n, >= 1 saturates. Default: measureWafCpuShare on 32 sample requests (memoised). */
  readonly wafCpuCost?: (patterns: readonly string[]) => number;
}

interface SimRouter {
  readonly router: Router;
  readonly popId: string;
  readonly model: DeviceModel | undefined;
  up: boolean;
  rebootAtMs?: number;
  permanentlyDown: boolean;
  crashes: number;
  installed: Map<string, MitigationRule>;
  /** Rules the router refused (defect "rule-ignored" or resource exhausted). */
  refused: Set<string>;
  /** Installed rules a "misprogrammed" defect turned into filters that do not drop what they should. */
  misprogrammed: Set<string>;
  /** TCAM / filter-term entries used by the installed rules (after range expansion). */
  tcamUsed: number;
}

interface SimPop {
  readonly pop: Pop;
  readonly capacityBps: number;
  readonly offeredBps: number;
  readonly routers: SimRouter[];
  /** What the control plane has announced to this PoP. */
  announced: Map<string, MitigationRule>;
  waf: { patterns: readonly string[]; previous: readonly string[] };
  dataFile: { version: string; features: number; previous?: { version: string; features: number } };
  loadBps: number;
  failingBps: number;
  httpErrorRate: number;
  /** Proxy CPU share spent on the WAF regex set (>= 1 saturates the proxies). */
  proxyCpu: number;
  collapsed: boolean;
}

export interface SimEvent {
  readonly atMs: number;
  readonly kind: 'router-crash' | 'router-reboot' | 'router-up' | 'router-dead' | 'pop-down' | 'pop-up' | 'pop-overload' | 'proxy-failing' | 'proxy-ok' | 'apply' | 'revert';
  readonly popId: string;
  readonly routerId?: string;
  readonly detail?: string;
}

export interface SimSummary {
  readonly popsImpacted: readonly string[];
  /** PoPs that fell over under anycast traffic shifted from failed PoPs (the cascade). */
  readonly popsCollapsed: readonly string[];
  readonly peakFailingShare: number;
  readonly firstImpactMs?: number;
  readonly routersDown: number;
  readonly routersDead: number;
  readonly crashes: number;
}

const R_EARTH_KM = 6371;
function distanceKm(a?: { lat: number; lon: number }, b?: { lat: number; lon: number }): number {
  if (!a || !b) return 10_000;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R_EARTH_KM * Math.asin(Math.sqrt(h));
}

export class FleetSimulation {
  readonly pops = new Map<string, SimPop>();
  private now: number;
  private readonly random: Random;
  private readonly rebootMs: number;
  private readonly noRebootShare: number;
  private readonly collapseFactor: number;
  private readonly featureLimit: number;
  private readonly wafCpuCost: (patterns: readonly string[]) => number;
  private readonly log: SimEvent[] = [];
  private readonly impacted = new Set<string>();
  private peakFailing = 0;
  private firstImpactMs: number | undefined;
  private totalOfferedBps = 0;
  /** Routers waiting to come back (so advance() does not scan the whole fleet per event). */
  private readonly rebooting = new Set<SimRouter>();
  private readonly collapses: string[] = [];

  constructor(network: NetworkDescription, models: readonly DeviceModel[], opts: SimulationOptions) {
    this.now = opts.startMs;
    this.random = seededRandom(opts.seed);
    this.rebootMs = opts.rebootMs ?? 6 * 60_000;
    this.noRebootShare = opts.noRebootShare ?? 0.3;
    this.collapseFactor = opts.collapseFactor ?? 1.5;
    this.featureLimit = opts.featureLimit ?? 200;
    this.wafCpuCost = opts.wafCpuCost ?? this.measuredWafCost(opts.seed);
    const utilisation = opts.utilisation ?? 0.5;
    for (const pop of network.pops) {
      const capacityBps = pop.capacityBps ?? 1e12;
      const sp: SimPop = {
        pop,
        capacityBps,
        offeredBps: capacityBps * utilisation,
        routers: pop.routers.map((router) => ({ router, popId: pop.id, model: findDeviceModel(models, router), up: true, permanentlyDown: false, crashes: 0, installed: new Map(), refused: new Set(), misprogrammed: new Set(), tcamUsed: 0 })),
        announced: new Map(),
        waf: { patterns: [], previous: [] },
        dataFile: { version: 'v0', features: 0 },
        loadBps: 0,
        failingBps: 0,
        httpErrorRate: 0,
        proxyCpu: 0,
        collapsed: false,
      };
      this.totalOfferedBps += sp.offeredBps;
      this.pops.set(pop.id, sp);
    }
    this.recomputeTraffic();
  }

  private measuredWafCost(seed: number): (patterns: readonly string[]) => number {
    const corpus = sampleRequestCorpus(seed, 32);
    const memo = new Map<string, number>();
    return (patterns) =>
      patterns.reduce((sum, p) => {
        let share = memo.get(p);
        if (share === undefined) memo.set(p, (share = measureWafCpuShare([p], corpus)));
        return sum + share;
      }, 0);
  }

  get nowMs(): number {
    return this.now;
  }

  events(sinceIndex = 0): SimEvent[] {
    return this.log.slice(sinceIndex);
  }

  /** Advance time, processing router reboots in order and recomputing traffic after each. */
  advance(toMs: number): void {
    for (;;) {
      let next: SimRouter | undefined;
      for (const r of this.rebooting) if (r.rebootAtMs !== undefined && r.rebootAtMs <= toMs && (!next || r.rebootAtMs < next.rebootAtMs!)) next = r;
      if (!next) break;
      this.now = Math.max(this.now, next.rebootAtMs!);
      next.rebootAtMs = undefined;
      this.rebooting.delete(next);
      next.up = true;
      this.emit('router-up', next.popId, next.router.id);
      const pop = this.pops.get(next.popId)!;
      // On re-establishing BGP the router receives every Flowspec route still announced.
      this.installRules(next, [...pop.announced.values()]);
      this.recomputeTraffic();
    }
    this.now = Math.max(this.now, toMs);
    this.recomputeTraffic();
  }

  apply(popId: string, artifact: Artifact): void {
    const pop = this.mustPop(popId);
    this.emit('apply', popId, undefined, artifact.kind);
    switch (artifact.kind) {
      case 'flowspec':
        for (const id of artifact.withdraw) this.withdrawRule(pop, id);
        for (const rule of artifact.add) pop.announced.set(rule.id, rule);
        for (const r of pop.routers) if (r.up) this.installRules(r, artifact.add);
        break;
      case 'waf-regex':
        pop.waf = { patterns: artifact.rules.map((x) => x.pattern), previous: pop.waf.patterns };
        break;
      case 'data-file':
        pop.dataFile = { version: artifact.version, features: countFeatures(artifact.content), previous: { version: pop.dataFile.version, features: pop.dataFile.features } };
        break;
    }
    this.recomputeTraffic();
  }

  revert(popId: string, artifact: Artifact): void {
    const pop = this.mustPop(popId);
    this.emit('revert', popId, undefined, artifact.kind);
    switch (artifact.kind) {
      case 'flowspec':
        for (const rule of artifact.add) this.withdrawRule(pop, rule.id);
        for (const id of artifact.withdraw) void id; // a withdraw is undone only by re-announcing, which the caller owns
        break;
      case 'waf-regex':
        pop.waf = { patterns: pop.waf.previous, previous: [] };
        break;
      case 'data-file':
        if (pop.dataFile.previous) pop.dataFile = { ...pop.dataFile.previous };
        break;
    }
    this.recomputeTraffic();
  }

  /** Rule ids installed on every live router of the PoP (the confirmation a gate checks). */
  installedAt(popId: string): string[] {
    const pop = this.mustPop(popId);
    return [...pop.announced.keys()].filter((id) => pop.routers.every((r) => !r.up || r.installed.has(id))).sort();
  }

  announcedAt(popId: string): string[] {
    return [...this.mustPop(popId).announced.keys()].sort();
  }

  popHealth(popId: string): PopHealth {
    const pop = this.mustPop(popId);
    const routers: RouterHealth[] = pop.routers.map((r) => {
      const lim = r.model?.limits;
      const memory = r.up && lim ? Math.min(1, (lim.baselineMemory ?? 0.4) + (r.installed.size * lim.memoryPerRuleKiB) / 1024 / lim.memoryMiB) : 0;
      return {
        routerId: r.router.id,
        up: r.up,
        cpu: r.up ? (lim?.baselineCpu ?? 0.2) : 0,
        memory,
        bgpEstablished: r.up,
        installedRuleIds: r.up ? [...r.installed.keys()].sort() : [],
        crashes: r.crashes,
      };
    });
    const liveRouters = pop.routers.filter((r) => r.up);
    const expected = liveRouters.length * pop.announced.size;
    const effective = liveRouters.reduce((n, r) => n + [...pop.announced.keys()].filter((id) => r.installed.has(id) && !r.misprogrammed.has(id)).length, 0);
    return {
      popId,
      atMs: this.now,
      routers,
      httpErrorRate: pop.httpErrorRate,
      ...(expected > 0 ? { droppedVsExpected: effective / expected } : {}),
      trafficFailing: pop.loadBps > 0 ? pop.failingBps / pop.loadBps : pop.routers.every((r) => !r.up) ? 1 : 0,
    };
  }

  /** Share of all offered traffic that is failing right now. */
  failingShare(): number {
    let failing = 0;
    for (const p of this.pops.values()) failing += p.failingBps;
    return this.totalOfferedBps === 0 ? 0 : Math.min(1, failing / this.totalOfferedBps);
  }

  summary(): SimSummary {
    let down = 0;
    let dead = 0;
    let crashes = 0;
    for (const p of this.pops.values())
      for (const r of p.routers) {
        if (!r.up) down++;
        if (r.permanentlyDown) dead++;
        crashes += r.crashes;
      }
    return {
      popsImpacted: [...this.impacted].sort(),
      popsCollapsed: [...new Set(this.collapses)].sort(),
      peakFailingShare: this.peakFailing,
      ...(this.firstImpactMs !== undefined ? { firstImpactMs: this.firstImpactMs } : {}),
      routersDown: down,
      routersDead: dead,
      crashes,
    };
  }

  private mustPop(popId: string): SimPop {
    const p = this.pops.get(popId);
    if (!p) throw new FleetError('fleet_unknown_pop', `unknown PoP ${popId}: the simulated fleet has ${this.pops.size} PoPs`);
    return p;
  }

  private emit(kind: SimEvent['kind'], popId: string, routerId?: string, detail?: string): void {
    this.log.push({ atMs: this.now, kind, popId, ...(routerId ? { routerId } : {}), ...(detail ? { detail } : {}) });
    if (this.log.length > 100_000) this.log.splice(0, 10_000);
  }

  private withdrawRule(pop: SimPop, id: string): void {
    pop.announced.delete(id);
    for (const r of pop.routers) {
      const rule = r.installed.get(id);
      if (rule) r.tcamUsed -= tcamEntriesFor(rule);
      r.installed.delete(id);
      r.refused.delete(id);
      r.misprogrammed.delete(id);
    }
  }

  private installRules(r: SimRouter, rules: readonly MitigationRule[]): void {
    for (const rule of rules) {
      if (!r.up) return;
      const advisories: Advisory[] = r.model ? findTriggeredAdvisories(r.model, r.router, rule, { includeHidden: true }) : [];
      const fatal = advisories.find((a) => a.effect === 'memory-exhaustion' || a.effect === 'crash-reboot' || a.effect === 'crash-no-reboot');
      if (fatal) {
        const stays = fatal.effect === 'crash-no-reboot' || (fatal.effect === 'memory-exhaustion' && this.random.next() < this.noRebootShare);
        this.crash(r, `${fatal.id}: ${fatal.title} (rule ${rule.id})`, stays);
        return;
      }
      if (advisories.some((a) => a.effect === 'rule-ignored')) {
        r.refused.add(rule.id);
        continue;
      }
      if (r.installed.has(rule.id)) continue;
      const lim = r.model?.limits;
      const entries = tcamEntriesFor(rule);
      if (lim && (r.installed.size >= lim.maxRules || r.tcamUsed + entries > lim.tcamEntries)) {
        r.refused.add(rule.id);
        continue;
      }
      r.installed.set(rule.id, rule);
      r.tcamUsed += entries;
      if (advisories.some((a) => a.effect === 'misprogrammed')) r.misprogrammed.add(rule.id);
      if (lim && (lim.baselineMemory ?? 0.4) + (r.installed.size * lim.memoryPerRuleKiB) / 1024 / lim.memoryMiB > 1) {
        this.crash(r, 'out of memory installing Flowspec rules', false);
        return;
      }
    }
  }

  private crash(r: SimRouter, why: string, staysDown: boolean): void {
    r.up = false;
    r.crashes++;
    r.installed.clear();
    r.misprogrammed.clear();
    r.tcamUsed = 0;
    this.emit('router-crash', r.popId, r.router.id, why);
    if (staysDown) {
      r.permanentlyDown = true;
      r.rebootAtMs = undefined;
      this.rebooting.delete(r);
      this.emit('router-dead', r.popId, r.router.id, 'did not reboot; needs hands on site');
    } else {
      r.rebootAtMs = this.now + this.rebootMs;
      this.rebooting.add(r);
      this.emit('router-reboot', r.popId, r.router.id);
    }
  }

  /** Anycast: offered traffic of dark PoPs moves to the nearest live PoPs; overload fails and can collapse a PoP. */
  private recomputeTraffic(): void {
    for (let round = 0; round < 10; round++) {
      const live = [...this.pops.values()].filter((p) => p.routers.some((r) => r.up));
      const liveSet = new Set(live);
      for (const p of this.pops.values()) p.loadBps = 0;
      for (const p of this.pops.values()) {
        if (liveSet.has(p)) {
          p.loadBps += p.offeredBps;
          continue;
        }
        const nearest = [...live].sort((a, b) => distanceKm(p.pop.location, a.pop.location) - distanceKm(p.pop.location, b.pop.location)).slice(0, 2);
        for (const n of nearest) n.loadBps += p.offeredBps / nearest.length;
      }
      // Traffic beyond capacity at this moment fails (counted before any PoP falls over).
      let overloadBps = 0;
      for (const p of live) overloadBps += Math.max(0, p.loadBps - p.capacityBps);
      if (this.totalOfferedBps > 0) this.peakFailing = Math.max(this.peakFailing, Math.min(1, overloadBps / this.totalOfferedBps));
      let collapsedNow = false;
      for (const p of live) {
        if (p.loadBps > this.collapseFactor * p.capacityBps && !p.collapsed) {
          p.collapsed = true;
          collapsedNow = true;
          this.collapses.push(p.pop.id);
          this.emit('pop-overload', p.pop.id, undefined, `load ${(p.loadBps / p.capacityBps).toFixed(2)}x capacity`);
          for (const r of p.routers) if (r.up) this.crash(r, 'overloaded by anycast traffic from failed PoPs', false);
        }
      }
      if (!collapsedNow) break;
    }
    let anyLive = false;
    for (const p of this.pops.values()) {
      const up = p.routers.some((r) => r.up);
      anyLive ||= up;
      if (up && p.collapsed && p.loadBps <= p.capacityBps) p.collapsed = false;
      const overload = up ? Math.max(0, p.loadBps - p.capacityBps) : 0;
      const proxyCpu = p.waf.patterns.length === 0 ? 0 : this.wafCpuCost(p.waf.patterns);
      p.proxyCpu = proxyCpu;
      const featureFail = p.dataFile.features > this.featureLimit;
      const before = p.httpErrorRate;
      p.httpErrorRate = featureFail ? 1 : proxyCpu >= 1 ? Math.min(1, 0.5 + (proxyCpu - 1) * 0.5) : 0;
      if (before === 0 && p.httpErrorRate > 0) this.emit('proxy-failing', p.pop.id, undefined, featureFail ? `feature file has ${p.dataFile.features} features, consumer limit ${this.featureLimit}` : `WAF CPU ${(proxyCpu * 100).toFixed(0)}%`);
      if (before > 0 && p.httpErrorRate === 0) this.emit('proxy-ok', p.pop.id);
      const served = Math.max(0, p.loadBps - overload);
      p.failingBps = overload + served * p.httpErrorRate;
    }
    // Traffic with nowhere to go at all fails.
    if (!anyLive) for (const p of this.pops.values()) p.failingBps = p.offeredBps;
    for (const p of this.pops.values()) {
      const down = p.routers.some((r) => !r.up);
      if (down || p.httpErrorRate > 0.01 || (p.loadBps > 0 && p.failingBps / p.loadBps > 0.01)) {
        if (!this.impacted.has(p.pop.id)) this.firstImpactMs ??= this.now;
        this.impacted.add(p.pop.id);
      }
    }
    this.peakFailing = Math.max(this.peakFailing, this.failingShare());
  }
}

/** Features in a generated data file: JSON {features: [...]} or one feature per non-empty line. */
export function countFeatures(content: string): number {
  try {
    const parsed = JSON.parse(content) as { features?: unknown[] };
    if (Array.isArray(parsed.features)) return parsed.features.length;
  } catch {
    // not JSON: count lines
  }
  return content.split('\n').filter((l) => l.trim()).length;
}

/**
 * Filter entries a rule takes after range expansion: the product over numeric components of
 * their range counts (a router programs one term per combination). Prefixes and bitmasks
 * take one entry each.
 */
export function tcamEntriesFor(rule: MitigationRule): number {
  let entries = 1;
  const m = rule.match;
  for (const ranges of [m.protocols, m.ports, m.destinationPorts, m.sourcePorts, m.icmpTypes, m.icmpCodes, m.packetLengths, m.dscp, m.flowLabel]) {
    if (ranges && ranges.length > 1) entries *= ranges.length;
  }
  for (const bits of [m.tcpFlags, m.fragment]) if (bits && bits.length > 1) entries *= bits.length;
  return entries;
}
