import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileTemplate, type TemplatePlan } from './ipfix/record-plan.js';
import { decodeIpfix } from './ipfix/ipfix.js';
import { TemplateCache } from './template-cache.js';

function plan(id: number, fields: Array<[number, number]> = [[8, 4], [12, 4], [2, 4]]): TemplatePlan {
  const p = compileTemplate(id, 'data', fields.map(([i, l]) => ({ id: i, length: l, enterprise: 0 })), 0, true);
  if ('code' in p) throw new Error(p.message);
  return p;
}

describe('TemplateCache', () => {
  it('tells a new definition, a refresh and a change apart', () => {
    const c = new TemplateCache();
    const s = c.scope(10, 'a', 'a', 1);
    expect(c.learn(s, plan(256), 0)).toBe('new');
    expect(c.learn(s, plan(256), 1)).toBe('refreshed');
    expect(c.learn(s, plan(256, [[8, 4]]), 2)).toBe('changed');
    expect(c.lookup(s, 256, 3)?.fields).toHaveLength(1);
    expect(c.stats).toMatchObject({ templates: 1, learned: 1, refreshed: 1, changed: 1 });
  });

  it('keeps template ids apart per protocol, session and observation domain', () => {
    const c = new TemplateCache();
    c.learn(c.scope(10, 'a', 'a', 1), plan(256), 0);
    expect(c.lookup(c.scope(10, 'a', 'a', 2), 256, 0)).toBeUndefined();
    expect(c.lookup(c.scope(9, 'a', 'a', 1), 256, 0)).toBeUndefined();
    expect(c.lookup(c.scope(10, 'b', 'b', 1), 256, 0)).toBeUndefined();
    expect(c.lookup(c.scope(10, 'a', 'a', 1), 256, 0)).toBeDefined();
  });

  it('evicts the template defined longest ago when full, and counts it', () => {
    const c = new TemplateCache({ maxTemplates: 3 });
    const s = c.scope(10, 'a', 'a', 0);
    for (const id of [256, 257, 258]) c.learn(s, plan(id), 0);
    c.learn(s, plan(256), 1); // a refresh moves 256 to the back
    c.learn(s, plan(259), 2);
    expect(c.stats).toMatchObject({ templates: 3, evicted: 1 });
    expect(c.lookup(s, 257, 3)).toBeUndefined();
    expect([256, 258, 259].map((id) => c.lookup(s, id, 3) !== undefined)).toEqual([true, true, true]);
  });

  it('expires templates not refreshed within the timeout, on lookup and on expire()', () => {
    const c = new TemplateCache({ templateTimeoutMs: 1000 });
    const s = c.scope(10, 'a', 'a', 0);
    c.learn(s, plan(256), 0);
    c.learn(s, plan(257), 500);
    expect(c.lookup(s, 256, 1000)).toBeDefined();
    expect(c.lookup(s, 256, 1001)).toBeUndefined();
    c.expire(1501);
    expect(c.stats).toMatchObject({ templates: 0, expired: 2 });
  });

  it('bounds scopes: a new one evicts the oldest with its templates', () => {
    const c = new TemplateCache({ maxScopes: 2 });
    c.learn(c.scope(10, 'a', 'a', 0), plan(256), 0);
    c.learn(c.scope(10, 'b', 'b', 0), plan(256), 0);
    c.scope(10, 'c', 'c', 0);
    expect(c.stats).toMatchObject({ scopes: 2, scopesEvicted: 1, templates: 1 });
  });

  it('buffers sets within count and byte bounds, hands them back by template, ages them out', () => {
    const c = new TemplateCache({ maxPendingSets: 2, maxPendingBytes: 100, pendingMaxAgeMs: 1000 });
    const s = c.scope(10, 'a', 'a', 0);
    const h = { exportMs: 5, sysUptimeMs: -1 };
    expect(c.buffer(s, 300, new Uint8Array(60), h, 0)).toBe(true);
    expect(c.buffer(s, 301, new Uint8Array(60), h, 0)).toBe(false); // bytes
    expect(c.buffer(s, 301, new Uint8Array(10), h, 0)).toBe(true);
    expect(c.buffer(s, 302, new Uint8Array(1), h, 0)).toBe(false); // count
    expect(c.stats).toMatchObject({ pendingSets: 2, pendingBytes: 70, pendingDropped: 2 });
    expect(c.takePending(s, 301, 10).map((p) => p.bytes.length)).toEqual([10]);
    expect(c.takePending(s, 300, 2000)).toEqual([]); // too old by now
    expect(c.stats).toMatchObject({ pendingSets: 0, pendingBytes: 0, pendingDecoded: 1, pendingExpired: 1 });
    const off = new TemplateCache({ maxPendingSets: 0 });
    expect(off.buffer(off.scope(10, 'a', 'a', 0), 300, new Uint8Array(4), h, 0)).toBe(false);
  });

  it('copies buffered bytes (the datagram buffer may be reused)', () => {
    const c = new TemplateCache();
    const s = c.scope(10, 'a', 'a', 0);
    const buf = Uint8Array.of(1, 2, 3);
    c.buffer(s, 300, buf, { exportMs: 0, sysUptimeMs: -1 }, 0);
    buf[0] = 9;
    expect(Array.from(c.takePending(s, 300, 0)[0]!.bytes)).toEqual([1, 2, 3]);
  });

  it('bounds sampler rates per scope', () => {
    const c = new TemplateCache({ maxSamplersPerScope: 2 });
    const s = c.scope(9, 'a', 'a', 0);
    for (const id of [1, 2, 3]) c.setSamplerRate(s, id, id * 10);
    expect([...s.samplers.entries()]).toEqual([
      [2, 20],
      [3, 30],
    ]);
  });

  it('stays within every bound whatever templates and sets arrive (property)', () => {
    const o = { maxTemplates: 16, maxScopes: 4, maxPendingSets: 8, maxPendingBytes: 512 };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 256, max: 300 }), fc.boolean(), fc.integer({ min: 0, max: 200 })), { maxLength: 300 }),
        (ops) => {
          const c = new TemplateCache(o);
          let now = 0;
          for (const [scope, id, isData, size] of ops) {
            now += 7;
            const s = c.scope(10, `e${scope}`, `e${scope}`, scope);
            if (isData) {
              if (!c.lookup(s, id, now)) c.buffer(s, id, new Uint8Array(size), { exportMs: now, sysUptimeMs: -1 }, now);
            } else {
              c.learn(s, plan(id), now);
              c.takePending(s, id, now);
            }
            expect(c.stats.templates).toBeLessThanOrEqual(o.maxTemplates);
            expect(c.stats.scopes).toBeLessThanOrEqual(o.maxScopes);
            expect(c.stats.pendingSets).toBeLessThanOrEqual(o.maxPendingSets);
            expect(c.stats.pendingBytes).toBeLessThanOrEqual(o.maxPendingBytes);
            expect(c.stats.pendingSets).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('data before its template (IPFIX)', () => {
  // template 256: src(4) dst(4) packets(4) octets(4); one record 10.0.0.1 -> 10.0.0.2, 2 packets, 100 bytes
  const header = (len: number, exportSec: number): number[] => [0, 10, len >> 8, len & 0xff, ...be32(exportSec), 0, 0, 0, 1, 0, 0, 0, 7];
  const be32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  const dataSet = [1, 0, 0, 20, 10, 0, 0, 1, 10, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 100];
  const templateSet = [0, 2, 0, 24, 1, 0, 0, 4, 0, 8, 0, 4, 0, 12, 0, 4, 0, 2, 0, 4, 0, 1, 0, 4];
  const dataMsg = Uint8Array.from([...header(36, 1000), ...dataSet]);
  const templateMsg = Uint8Array.from([...header(40, 1005), ...templateSet]);

  it('counts a miss, then decodes the buffered set when the template arrives, with its own export time', () => {
    const templates = new TemplateCache();
    const first = decodeIpfix(dataMsg, { templates, exporter: '192.0.2.1', nowMs: 1_000_000 });
    expect(first.ok && first.value.errors.map((e) => e.code)).toEqual(['template_miss']);
    expect(first.ok && first.value.records).toEqual([]);
    const second = decodeIpfix(templateMsg, { templates, exporter: '192.0.2.1', nowMs: 1_005_000 });
    if (!second.ok) throw new Error(second.error.message);
    expect(second.value.pendingDecoded).toBe(1);
    expect(second.value.records.map((r) => [r.srcAddr, r.dstAddr, r.sampledPackets, r.sampledBytes, r.timestampMs, r.packetLengthBytes])).toEqual([['10.0.0.1', '10.0.0.2', 2, 100, 1_000_000, 50]]);
    expect(templates.stats).toMatchObject({ misses: 1, pendingBuffered: 1, pendingDecoded: 1, pendingSets: 0 });
  });

  it('drops a buffered set older than the age limit instead of decoding it', () => {
    const templates = new TemplateCache({ pendingMaxAgeMs: 2000 });
    decodeIpfix(dataMsg, { templates, exporter: '192.0.2.1', nowMs: 1_000_000 });
    const later = decodeIpfix(templateMsg, { templates, exporter: '192.0.2.1', nowMs: 1_010_000 });
    expect(later.ok && later.value.records).toEqual([]);
    expect(templates.stats).toMatchObject({ pendingExpired: 1, pendingDecoded: 0 });
  });

  it('does not mix exporters: another session’s template does not decode the set', () => {
    const templates = new TemplateCache();
    decodeIpfix(dataMsg, { templates, exporter: '192.0.2.1', nowMs: 0 });
    const other = decodeIpfix(templateMsg, { templates, exporter: '192.0.2.2', nowMs: 0 });
    expect(other.ok && other.value.records).toEqual([]);
  });
});
