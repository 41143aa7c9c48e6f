// Properties over every telemetry decoder: random bytes and mutated vectors never throw and never
// report decoder_bug, decoded records keep the FlowRecord contract, and memory stays bounded;
// address text equals ipaddr.js; the chunked capture reader equals the whole-buffer one.
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { CaptureParser, FLOW_DATAGRAM_FORMATS, TemplateCache, decodeFlowDatagram, decodeSflowDatagram, decodeSflowFlowsFast, formatIpv4At, formatIpv6At, readCapture, sflowToFlowRecords } from '../../../src/telemetry/index.js';
import { exportStream } from '../../../src/telemetry/export/index.js';
import { defaultTrafficPlan, generatePackets } from '../../../src/telemetry/synth/index.js';
import { seededRandom } from '../../../src/lib/random.js';
import { FRAMES } from './frames.js';
import { loadTelemetryCorpus, mutateDatagram, recordProblem } from './fuzz/mutate.js';

const corpus = loadTelemetryCorpus();

describe('decoders never throw and never report decoder_bug', () => {
  it('on random bytes, for every format (property)', () => {
    const templates = new TemplateCache();
    fc.assert(
      fc.property(fc.constantFrom(...FLOW_DATAGRAM_FORMATS), fc.uint8Array({ maxLength: 400 }), fc.boolean(), (format, bytes, versioned) => {
        const b = Uint8Array.from(bytes);
        if (versioned && b.length >= 4) b.set(format === 'sflow' ? [0, 0, 0, 5] : [0, format === 'netflow5' ? 5 : format === 'netflow9' ? 9 : 10], 0);
        const r = decodeFlowDatagram(format, b, { exporter: '192.0.2.1', receivedMs: 0, templates });
        expect(r.errors.map((e) => e.code)).not.toContain('decoder_bug');
        for (const rec of r.records) expect(recordProblem(rec)).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });

  it('on mutated vectors, with template state carried between datagrams (property)', () => {
    const templates = new TemplateCache({ maxTemplates: 64, maxScopes: 8, maxPendingSets: 16, maxPendingBytes: 64 * 1024 });
    fc.assert(
      fc.property(fc.nat(corpus.length - 1), fc.integer(), (i, seed) => {
        const e = corpus[i]!;
        const input = mutateDatagram(e, corpus, seededRandom(seed));
        const r = decodeFlowDatagram(e.format, input, { exporter: '192.0.2.1', receivedMs: 0, templates });
        expect(r.errors.map((x) => x.code)).not.toContain('decoder_bug');
        for (const rec of r.records) expect(recordProblem(rec)).toBeUndefined();
        expect(templates.stats.templates).toBeLessThanOrEqual(64);
        expect(templates.stats.pendingBytes).toBeLessThanOrEqual(64 * 1024);
      }),
      { numRuns: 4000 },
    );
  });
});

describe('sFlow fast path equals the structured decoder', () => {
  /** Records the structured path gives when it finds no problem; undefined when it finds one. */
  function structured(b: Uint8Array): unknown {
    const r = decodeSflowDatagram(b);
    if (!r.ok || r.value.errors.length > 0 || r.value.datagram.samples.some((x) => x.kind === 'counters')) return undefined;
    const errors: never[] = [];
    const records = sflowToFlowRecords(r.value.datagram, 7, errors);
    return errors.length > 0 ? undefined : records;
  }

  it('on exported synthetic traffic (every datagram takes the fast path) and on mutated vectors (property)', () => {
    const plan = defaultTrafficPlan('mixed', { durationMs: 2_000, backgroundPps: 2_000, attackPps: 20_000, sampleRate: 10, attackStartOffsetMs: 500, attackEndOffsetMs: 2_000 });
    let fastTaken = 0;
    for (const batch of exportStream(generatePackets(plan, seededRandom(3), 0), { format: 'sflow', bootMs: -1000, pops: plan.background.pops, sampleRate: 10 })) {
      for (const d of batch.datagrams) {
        const fast = decodeSflowFlowsFast(d, 7);
        expect(fast).toEqual(structured(d));
        if (fast) fastTaken++;
      }
    }
    expect(fastTaken).toBeGreaterThan(20);
    const sflow = corpus.filter((e) => e.format === 'sflow');
    fc.assert(
      fc.property(fc.nat(sflow.length - 1), fc.integer(), (i, seed) => {
        const input = mutateDatagram(sflow[i]!, corpus, seededRandom(seed));
        const fast = decodeSflowFlowsFast(input, 7);
        // the fast path may decline (the structured path then decodes), but never disagrees
        if (fast !== undefined) expect(fast).toEqual(structured(input));
      }),
      { numRuns: 4000 },
    );
  });
});

describe('address text', () => {
  it('IPv6 text equals ipaddr.js (RFC 5952) for addresses with zero runs (property)', () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), fc.nat(7), (groups, pad) => {
        const b = new Uint8Array(16 + pad);
        groups.forEach((g, i) => {
          b[pad + 2 * i] = g >> 8;
          b[pad + 2 * i + 1] = g & 0xff;
        });
        expect(formatIpv6At(b, pad)).toBe(ipaddr.fromByteArray(Array.from(b.subarray(pad))).toString());
      }),
      { numRuns: 5000 },
    );
  });
  it('IPv4 text', () => {
    expect(formatIpv4At(Uint8Array.of(9, 0, 255, 10, 1), 1)).toBe('0.255.10.1');
  });
});

describe('chunked capture reading', () => {
  const frames = FRAMES.map((f) => Uint8Array.from(Buffer.from(f.hex, 'hex')));
  function pcap(): Uint8Array {
    const parts: Buffer[] = [];
    const gh = Buffer.alloc(24);
    gh.writeUInt32LE(0xa1b2c3d4, 0);
    gh.writeUInt32LE(65535, 16);
    gh.writeUInt32LE(1, 20);
    parts.push(gh);
    frames.forEach((f, i) => {
      const rh = Buffer.alloc(16);
      rh.writeUInt32LE(1_700_000_000 + i, 0);
      rh.writeUInt32LE(f.length, 8);
      rh.writeUInt32LE(f.length, 12);
      parts.push(rh, Buffer.from(f));
    });
    return Uint8Array.from(Buffer.concat(parts));
  }
  function pcapng(): Uint8Array {
    const parts: Buffer[] = [];
    const shb = Buffer.alloc(28);
    shb.writeUInt32LE(0x0a0d0d0a, 0);
    shb.writeUInt32LE(28, 4);
    shb.writeUInt32LE(0x1a2b3c4d, 8);
    shb.writeUInt16LE(1, 12);
    shb.writeInt32LE(-1, 16);
    shb.writeInt32LE(-1, 20);
    shb.writeUInt32LE(28, 24);
    const idb = Buffer.alloc(20);
    idb.writeUInt32LE(1, 0);
    idb.writeUInt32LE(20, 4);
    idb.writeUInt16LE(1, 8);
    idb.writeUInt32LE(20, 16);
    parts.push(shb, idb);
    for (const f of frames) {
      const pad = (4 - (f.length % 4)) % 4;
      const len = 32 + f.length + pad;
      const h = Buffer.alloc(28);
      h.writeUInt32LE(6, 0);
      h.writeUInt32LE(len, 4);
      h.writeUInt32LE(f.length, 20);
      h.writeUInt32LE(f.length, 24);
      const t = Buffer.alloc(4 + pad);
      t.writeUInt32LE(len, pad);
      parts.push(h, Buffer.from(f), t);
    }
    return Uint8Array.from(Buffer.concat(parts));
  }
  it('gives the same packets for any chunking, pcap and pcapng (property)', () => {
    for (const file of [pcap(), pcapng()]) {
      const whole = readCapture(file);
      expect(whole.error).toBeUndefined();
      expect(whole.packets).toHaveLength(frames.length);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 40 }), (sizes) => {
          const p = new CaptureParser();
          const got: Uint8Array[] = [];
          for (let at = 0, k = 0; at < file.length; k++) {
            const n = sizes[k % sizes.length]!;
            got.push(...p.push(file.slice(at, at + n)).map((x) => x.data));
            at += n;
          }
          expect(p.finish()).toBeUndefined();
          expect(got.map((d) => Buffer.from(d).toString('hex'))).toEqual(whole.packets.map((x) => Buffer.from(x.data).toString('hex')));
        }),
        { numRuns: 300 },
      );
    }
  });
});
