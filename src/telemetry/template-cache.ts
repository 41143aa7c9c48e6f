// Template state for NetFlow v9 (RFC 3954 §5.2, §6.1) and IPFIX (RFC 7011 §8) collectors.
//
// State is kept per exporter scope: (protocol, transport session, observation domain / source
// id); template ids are only meaningful inside one scope. The cache is passed in to the decoders
// (not global) and reads no clock: every call that can expire something takes `nowMs`.
//
// Memory is bounded whatever arrives:
//  - at most `maxTemplates` templates over all scopes; defining one more evicts the template
//    defined (or refreshed) longest ago (stats.evicted);
//  - at most `maxScopes` scopes; a new scope evicts the oldest with its templates and pending sets;
//  - templates not refreshed for `templateTimeoutMs` expire (RFC 7011 §8.4 over UDP: the
//    collector ages templates out; an exporter re-sends them periodically);
//  - at most `maxSamplersPerScope` sampler rates per scope (options data).
//
// Data before its template (the exporter's template has not arrived yet, e.g. just after the
// collector started, or the template datagram was lost): the decoder counts a template miss and
// hands the data set to buffer(). Up to `maxPendingSets` sets / `maxPendingBytes` bytes are kept
// for at most `pendingMaxAgeMs`; when the template arrives the decoder takes them back and decodes
// them with the header context of the datagram they came in. Beyond the bounds the set is dropped
// and counted (stats.pendingDropped); sets older than the age limit are dropped and counted
// (stats.pendingExpired). Buffering is on by default (a collector that starts mid-stream would
// otherwise lose up to one template refresh interval of flows); maxPendingSets: 0 turns it off.
import type { TemplatePlan } from './ipfix/record-plan.js';

export type TemplateProtocol = 9 | 10;

export interface TemplateCacheOptions {
  readonly maxTemplates?: number;
  readonly maxScopes?: number;
  readonly templateTimeoutMs?: number;
  readonly maxPendingSets?: number;
  readonly maxPendingBytes?: number;
  readonly pendingMaxAgeMs?: number;
  readonly maxSamplersPerScope?: number;
}

export const TEMPLATE_CACHE_DEFAULTS = {
  maxTemplates: 4096,
  maxScopes: 1024,
  templateTimeoutMs: 30 * 60_000,
  maxPendingSets: 128,
  maxPendingBytes: 2 * 1024 * 1024,
  pendingMaxAgeMs: 10_000,
  maxSamplersPerScope: 256,
} as const;

export interface TemplateCacheStats {
  /** Templates and options templates held now. */
  templates: number;
  scopes: number;
  learned: number;
  /** Same definition received again. */
  refreshed: number;
  /** An id re-defined with different fields. */
  changed: number;
  withdrawn: number;
  expired: number;
  evicted: number;
  scopesEvicted: number;
  /** Data sets whose template was unknown (or expired) when they arrived. */
  misses: number;
  pendingBuffered: number;
  pendingDecoded: number;
  pendingDropped: number;
  pendingExpired: number;
  /** Sets and bytes buffered now. */
  pendingSets: number;
  pendingBytes: number;
}

/** The datagram header values a data set needs to be decoded later. */
export interface SetHeaderContext {
  /** Export time of the datagram, ms since the epoch. */
  readonly exportMs: number;
  /** NetFlow v9 sysUptime of the datagram (ms); -1 for IPFIX. */
  readonly sysUptimeMs: number;
}

export interface PendingSet {
  readonly templateId: number;
  /** Copy of the set's records (after the 4-byte set header). */
  readonly bytes: Uint8Array;
  readonly header: SetHeaderContext;
  readonly bufferedMs: number;
}

interface CachedTemplate {
  readonly plan: TemplatePlan;
  receivedMs: number;
  readonly scope: ExporterScope;
}

export class ExporterScope {
  readonly templates = new Map<number, CachedTemplate>();
  /** Sampling rate from options data without a sampler id (0: unknown). */
  defaultSampleRate = 0;
  /** Sampler / selector id -> 1-in-N rate. */
  readonly samplers = new Map<number, number>();
  /** IPFIX systemInitTimeMilliseconds (IE 160) from options data; -1 unknown. */
  systemInitMs = -1;
  pending: PendingSet[] = [];
  constructor(
    readonly key: string,
    readonly protocol: TemplateProtocol,
    readonly exporter: string,
    readonly domain: number,
  ) {}
}

function samePlan(a: TemplatePlan, b: TemplatePlan): boolean {
  if (a.kind !== b.kind || a.scopeFieldCount !== b.scopeFieldCount || a.fields.length !== b.fields.length) return false;
  for (let i = 0; i < a.fields.length; i++) {
    const x = a.fields[i]!;
    const y = b.fields[i]!;
    if (x.id !== y.id || x.length !== y.length || x.enterprise !== y.enterprise) return false;
  }
  return true;
}

export class TemplateCache {
  readonly options: Required<TemplateCacheOptions>;
  readonly stats: TemplateCacheStats = { templates: 0, scopes: 0, learned: 0, refreshed: 0, changed: 0, withdrawn: 0, expired: 0, evicted: 0, scopesEvicted: 0, misses: 0, pendingBuffered: 0, pendingDecoded: 0, pendingDropped: 0, pendingExpired: 0, pendingSets: 0, pendingBytes: 0 };
  private readonly scopes = new Map<string, ExporterScope>();
  /** Every cached template, least recently defined first (eviction order). */
  private readonly order = new Set<CachedTemplate>();
  private lastPendingSweepMs = -Infinity;

  constructor(options: TemplateCacheOptions = {}) {
    this.options = { ...TEMPLATE_CACHE_DEFAULTS, ...options };
  }

  /** The scope of (protocol, transport session, observation domain), created on first use. */
  scope(protocol: TemplateProtocol, session: string, exporter: string, domain: number): ExporterScope {
    const key = `${protocol}|${session}|${domain}`;
    let s = this.scopes.get(key);
    if (s) return s;
    if (this.scopes.size >= this.options.maxScopes) {
      const oldest = this.scopes.values().next().value;
      if (oldest) {
        this.dropScope(oldest);
        this.stats.scopesEvicted++;
      }
    }
    s = new ExporterScope(key, protocol, exporter, domain);
    this.scopes.set(key, s);
    this.stats.scopes = this.scopes.size;
    return s;
  }

  private dropScope(s: ExporterScope): void {
    for (const t of s.templates.values()) this.order.delete(t);
    s.templates.clear();
    for (const p of s.pending) this.stats.pendingBytes -= p.bytes.length;
    this.stats.pendingSets -= s.pending.length;
    s.pending = [];
    this.scopes.delete(s.key);
    this.stats.templates = this.order.size;
    this.stats.scopes = this.scopes.size;
  }

  /** Store a (re)definition. */
  learn(scope: ExporterScope, plan: TemplatePlan, nowMs: number): 'new' | 'refreshed' | 'changed' {
    const old = scope.templates.get(plan.id);
    let outcome: 'new' | 'refreshed' | 'changed' = 'new';
    if (old) {
      this.order.delete(old);
      outcome = samePlan(old.plan, plan) ? 'refreshed' : 'changed';
    } else if (this.order.size >= this.options.maxTemplates) {
      const victim = this.order.values().next().value;
      if (victim) {
        this.order.delete(victim);
        victim.scope.templates.delete(victim.plan.id);
        this.stats.evicted++;
      }
    }
    const entry: CachedTemplate = { plan: outcome === 'refreshed' ? old!.plan : plan, receivedMs: nowMs, scope };
    scope.templates.set(plan.id, entry);
    this.order.add(entry);
    if (outcome === 'new') this.stats.learned++;
    else if (outcome === 'refreshed') this.stats.refreshed++;
    else this.stats.changed++;
    this.stats.templates = this.order.size;
    return outcome;
  }

  /** IPFIX template withdrawal (RFC 7011 §8.1): one id, or all of a kind. Returns how many went. */
  withdraw(scope: ExporterScope, id: number | 'all-data' | 'all-options'): number {
    let n = 0;
    for (const [tid, t] of scope.templates) {
      const hit = typeof id === 'number' ? tid === id : (id === 'all-data') === (t.plan.kind === 'data');
      if (!hit) continue;
      scope.templates.delete(tid);
      this.order.delete(t);
      n++;
    }
    this.stats.withdrawn += n;
    this.stats.templates = this.order.size;
    return n;
  }

  /** The template for a data set, unless unknown or expired (an expired one is removed). */
  lookup(scope: ExporterScope, id: number, nowMs: number): TemplatePlan | undefined {
    const t = scope.templates.get(id);
    if (!t) return undefined;
    if (nowMs - t.receivedMs > this.options.templateTimeoutMs) {
      scope.templates.delete(id);
      this.order.delete(t);
      this.stats.expired++;
      this.stats.templates = this.order.size;
      return undefined;
    }
    return t.plan;
  }

  /** Remember a data set that arrived before its template. False when it was dropped. */
  buffer(scope: ExporterScope, templateId: number, records: Uint8Array, header: SetHeaderContext, nowMs: number): boolean {
    this.sweepPending(nowMs);
    const o = this.options;
    if (this.stats.pendingSets >= o.maxPendingSets || this.stats.pendingBytes + records.length > o.maxPendingBytes) {
      this.stats.pendingDropped++;
      return false;
    }
    scope.pending.push({ templateId, bytes: records.slice(), header, bufferedMs: nowMs });
    this.stats.pendingSets++;
    this.stats.pendingBytes += records.length;
    this.stats.pendingBuffered++;
    return true;
  }

  /** Take the buffered sets waiting for `templateId` (oldest first); stale ones are dropped. */
  takePending(scope: ExporterScope, templateId: number, nowMs: number): PendingSet[] {
    if (scope.pending.length === 0) return [];
    const taken: PendingSet[] = [];
    const kept: PendingSet[] = [];
    for (const p of scope.pending) {
      if (nowMs - p.bufferedMs > this.options.pendingMaxAgeMs) {
        this.stats.pendingExpired++;
      } else if (p.templateId === templateId) {
        taken.push(p);
        this.stats.pendingDecoded++;
      } else {
        kept.push(p);
        continue;
      }
      this.stats.pendingSets--;
      this.stats.pendingBytes -= p.bytes.length;
    }
    scope.pending = kept;
    return taken;
  }

  /** Record a sampler's rate from options data (bounded per scope). */
  setSamplerRate(scope: ExporterScope, samplerId: number, rate: number): void {
    if (!scope.samplers.has(samplerId) && scope.samplers.size >= this.options.maxSamplersPerScope) {
      const first = scope.samplers.keys().next().value;
      if (first !== undefined) scope.samplers.delete(first);
    }
    scope.samplers.set(samplerId, rate);
  }

  /** Drop expired templates and stale pending sets everywhere (call now and then). */
  expire(nowMs: number): void {
    for (const t of [...this.order]) {
      if (nowMs - t.receivedMs > this.options.templateTimeoutMs) {
        this.order.delete(t);
        t.scope.templates.delete(t.plan.id);
        this.stats.expired++;
      }
    }
    this.stats.templates = this.order.size;
    this.lastPendingSweepMs = -Infinity;
    this.sweepPending(nowMs);
  }

  private sweepPending(nowMs: number): void {
    if (this.stats.pendingSets === 0 || nowMs - this.lastPendingSweepMs < 1000) return;
    this.lastPendingSweepMs = nowMs;
    for (const s of this.scopes.values()) {
      if (s.pending.length === 0) continue;
      s.pending = s.pending.filter((p) => {
        if (nowMs - p.bufferedMs <= this.options.pendingMaxAgeMs) return true;
        this.stats.pendingExpired++;
        this.stats.pendingSets--;
        this.stats.pendingBytes -= p.bytes.length;
        return false;
      });
    }
  }

  /** Templates of a scope, for inspection (CLI, tests). */
  templatesOf(scope: ExporterScope): TemplatePlan[] {
    return [...scope.templates.values()].map((t) => t.plan);
  }
}
