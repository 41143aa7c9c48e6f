// The generated record readers of fixed-length templates decode exactly what the field-by-field
// interpreter decodes, for random templates (known elements at every length their type allows,
// wrong lengths, repeats, enterprise and unknown fields) and random record bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../flow-record.js';
import { TemplateCache } from '../template-cache.js';
import { IE } from './information-elements.js';
import { type DataSetContext, type TemplateField, type TemplatePlan, compileTemplate, decodeDataSet, isTemplateProblem } from './record-plan.js';

const KNOWN = Object.values(IE);

function decode(plan: TemplatePlan, bytes: Uint8Array, cache: TemplateCache): { records: FlowRecord[]; errors: unknown[]; scope: unknown } {
  const scope = cache.scope(10, 's', '192.0.2.1', 1);
  const ctx: DataSetContext = { source: 'ipfix', exporter: '192.0.2.1', domain: 1, exportMs: 1_700_000_000_000, sysUptimeMs: -1, scope, cache, records: [], errors: [], counts: { recordsWithoutAddresses: 0, optionsRecords: 0 } };
  decodeDataSet(bytes, 0, bytes.length, plan, ctx);
  return { records: ctx.records, errors: ctx.errors, scope: { rate: scope.defaultSampleRate, init: scope.systemInitMs } };
}

describe('generated record readers', () => {
  it('a fixed-length template gets a reader, shared by templates of the same layout', () => {
    const fields: TemplateField[] = [
      { id: IE.sourceIPv4Address, length: 4, enterprise: 0 },
      { id: IE.destinationIPv4Address, length: 4, enterprise: 0 },
      { id: IE.packetDeltaCount, length: 8, enterprise: 0 },
    ];
    const a = compileTemplate(256, 'data', fields, 0, true);
    const b = compileTemplate(300, 'data', fields, 0, true);
    const v = compileTemplate(301, 'data', [...fields, { id: 96, length: 65535, enterprise: 0 }], 0, true);
    if (isTemplateProblem(a) || isTemplateProblem(b) || isTemplateProblem(v)) throw new Error('template');
    expect(a.read).toBeTypeOf('function');
    expect(b.read).toBe(a.read);
    expect(v.read).toBeUndefined();
  });

  it('decode the same records as the interpreter (property)', () => {
    let decodedRecords = 0;
    const field = fc.oneof(
      fc.record({ id: fc.constantFrom(...KNOWN), length: fc.constantFrom(1, 2, 3, 4, 5, 6, 7, 8, 16), enterprise: fc.constant(0) }),
      fc.record({ id: fc.integer({ min: 1, max: 500 }), length: fc.integer({ min: 1, max: 20 }), enterprise: fc.constantFrom(0, 0, 9) }),
    );
    const addresses = fc.constantFrom<TemplateField[]>(
      [{ id: IE.sourceIPv4Address, length: 4, enterprise: 0 }, { id: IE.destinationIPv4Address, length: 4, enterprise: 0 }],
      [{ id: IE.sourceIPv6Address, length: 16, enterprise: 0 }, { id: IE.destinationIPv6Address, length: 16, enterprise: 0 }],
      [],
    );
    fc.assert(
      fc.property(addresses, fc.array(field, { minLength: 1, maxLength: 24 }), fc.constantFrom<'data' | 'options'>('data', 'data', 'options'), fc.uint8Array({ minLength: 200, maxLength: 600, size: 'max' }), (addr, rest, kind, bytes) => {
        const fields = [...addr, ...rest];
        const plan = compileTemplate(256, kind, fields, kind === 'options' ? 1 : 0, true);
        if (isTemplateProblem(plan) || plan.fixedLength < 0) return;
        expect(plan.read).toBeTypeOf('function');
        const generated = decode(plan, bytes, new TemplateCache());
        const interpreted = decode({ ...plan, read: undefined }, bytes, new TemplateCache());
        expect(generated).toEqual(interpreted);
        decodedRecords += generated.records.length;
      }),
      { numRuns: 3000 },
    );
    expect(decodedRecords).toBeGreaterThan(1000); // the property saw real records, not just empty sets
  });
});
