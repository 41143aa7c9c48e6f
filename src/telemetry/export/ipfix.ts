// IPFIX export (RFC 7011): message header (§3.1), template sets (id 2, §3.4.1), options template
// sets (id 3, §3.4.2.2), data sets (id >= 256, §3.3.2) padded to 32 bits. encodeIpfix writes one
// message; IpfixExporter keeps the sequence number (data records sent so far, §3.1) and resends
// templates periodically as UDP transport requires (§10.3.6). Pure.
import { ByteWriter } from '../../lib/byte-writer.js';
import type { ExportFlow } from './flow-meter.js';
import type { TemplateExporterOptions } from './netflow-v9.js';
import { type DataTemplate, FIELD, type FieldValue, type OptionsTemplate, type TemplateField, flowRecordValues, recordLength, writeField } from './template-encoding.js';

export const IPFIX_SET = { template: 2, optionsTemplate: 3 } as const;

export interface IpfixHeader {
  readonly exportTimeSec: number;
  /** Data records sent in this observation domain before this message (mod 2^32). */
  readonly sequence: number;
  readonly observationDomainId: number;
}

export type IpfixSet =
  | { readonly kind: 'templates'; readonly templates: readonly DataTemplate[] }
  | { readonly kind: 'options-templates'; readonly templates: readonly OptionsTemplate[] }
  | { readonly kind: 'data'; readonly template: DataTemplate | OptionsTemplate; readonly records: readonly (readonly FieldValue[])[] };

function writeSpecifier(w: ByteWriter, f: TemplateField): void {
  w.u16(f.type & 0x7fff).u16(f.length); // enterprise bit clear: IANA elements only
}

export function encodeIpfix(h: IpfixHeader, sets: readonly IpfixSet[]): Uint8Array {
  const w = new ByteWriter(1500);
  w.u16(10);
  const lenAt = w.reserve(2);
  w.u32(h.exportTimeSec >>> 0).u32(h.sequence >>> 0).u32(h.observationDomainId >>> 0);
  for (const s of sets) {
    const start = w.length;
    w.u16(s.kind === 'templates' ? IPFIX_SET.template : s.kind === 'options-templates' ? IPFIX_SET.optionsTemplate : s.template.id);
    const setLenAt = w.reserve(2);
    if (s.kind === 'templates') {
      for (const t of s.templates) {
        w.u16(t.id).u16(t.fields.length);
        for (const f of t.fields) writeSpecifier(w, f);
      }
    } else if (s.kind === 'options-templates') {
      for (const t of s.templates) {
        w.u16(t.id).u16(t.scopeFields.length + t.fields.length).u16(t.scopeFields.length);
        for (const f of [...t.scopeFields, ...t.fields]) writeSpecifier(w, f);
      }
    } else {
      const fields = 'scopeFields' in s.template ? [...s.template.scopeFields, ...s.template.fields] : s.template.fields;
      for (const r of s.records) {
        if (r.length !== fields.length) throw new Error(`record has ${r.length} values, template ${s.template.id} has ${fields.length} fields`);
        fields.forEach((f, i) => writeField(w, f, r[i]!));
      }
    }
    while ((w.length - start) % 4 !== 0) w.u8(0);
    w.setU16(setLenAt, w.length - start);
  }
  w.setU16(lenAt, w.length);
  return w.finish();
}

const f = (type: number, length: number) => ({ type, length });

export const IPFIX_TEMPLATES = {
  ipv4: {
    id: 256,
    fields: [
      f(FIELD.sourceIPv4Address, 4), f(FIELD.destinationIPv4Address, 4), f(FIELD.sourceTransportPort, 2), f(FIELD.destinationTransportPort, 2),
      f(FIELD.protocolIdentifier, 1), f(FIELD.tcpControlBits, 2), f(FIELD.ipClassOfService, 1), f(FIELD.minimumTTL, 1), f(FIELD.maximumTTL, 1),
      f(FIELD.packetDeltaCount, 8), f(FIELD.octetDeltaCount, 8), f(FIELD.flowStartMilliseconds, 8), f(FIELD.flowEndMilliseconds, 8),
      f(FIELD.ingressInterface, 4), f(FIELD.egressInterface, 4), f(FIELD.icmpTypeCodeIPv4, 2), f(FIELD.fragmentOffset, 2), f(FIELD.fragmentFlags, 1),
    ],
  },
  ipv6: {
    id: 257,
    fields: [
      f(FIELD.sourceIPv6Address, 16), f(FIELD.destinationIPv6Address, 16), f(FIELD.sourceTransportPort, 2), f(FIELD.destinationTransportPort, 2),
      f(FIELD.protocolIdentifier, 1), f(FIELD.tcpControlBits, 2), f(FIELD.ipClassOfService, 1), f(FIELD.minimumTTL, 1), f(FIELD.maximumTTL, 1),
      f(FIELD.packetDeltaCount, 8), f(FIELD.octetDeltaCount, 8), f(FIELD.flowStartMilliseconds, 8), f(FIELD.flowEndMilliseconds, 8),
      f(FIELD.ingressInterface, 4), f(FIELD.egressInterface, 4), f(FIELD.icmpTypeCodeIPv6, 2), f(FIELD.flowLabelIPv6, 4), f(FIELD.fragmentOffset, 2), f(FIELD.fragmentFlags, 1),
    ],
  },
  /** Sampling of the observation domain: 1 packet selected in every N (RFC 7014 §8.2.1 systematic count-based terms, IE 305/306). */
  sampling: { id: 258, scopeFields: [f(FIELD.observationDomainId, 4)], fields: [f(FIELD.samplingPacketInterval, 4), f(FIELD.samplingPacketSpace, 4)] },
} as const satisfies { ipv4: DataTemplate; ipv6: DataTemplate; sampling: OptionsTemplate };

export class IpfixExporter {
  private sequence = 0;
  private messagesSinceTemplates = Number.POSITIVE_INFINITY;
  private lastTemplatesMs = Number.NEGATIVE_INFINITY;
  private readonly maxBytes: number;

  constructor(private readonly o: TemplateExporterOptions) {
    this.maxBytes = o.maxDatagramBytes ?? 1400;
  }

  exportFlows(flows: readonly ExportFlow[], nowMs: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const T = IPFIX_TEMPLATES;
    const ctx = { bootMs: this.o.bootMs };
    let sets: IpfixSet[] = [];
    let bytes = 16;
    let dataRecords = 0;
    const flush = (): void => {
      if (sets.length === 0) return;
      out.push(encodeIpfix({ exportTimeSec: Math.floor(nowMs / 1000), sequence: this.sequence, observationDomainId: this.o.domainId }, sets));
      this.sequence = (this.sequence + dataRecords) >>> 0;
      this.messagesSinceTemplates++;
      sets = [];
      bytes = 16;
      dataRecords = 0;
    };
    if (this.messagesSinceTemplates >= (this.o.templateRefreshPackets ?? 20) || nowMs - this.lastTemplatesMs >= (this.o.templateRefreshMs ?? 30_000)) {
      // Options data records count towards the sequence number like any data record.
      sets.push({ kind: 'templates', templates: [T.ipv4, T.ipv6] }, { kind: 'options-templates', templates: [T.sampling] }, { kind: 'data', template: T.sampling, records: [[this.o.domainId, 1, Math.max(0, this.o.sampleRate - 1)]] });
      dataRecords = 1;
      bytes = encodeIpfix({ exportTimeSec: 0, sequence: 0, observationDomainId: 0 }, sets).length;
      this.messagesSinceTemplates = 0;
      this.lastTemplatesMs = nowMs;
    }
    let current: { template: DataTemplate; records: FieldValue[][] } | undefined;
    for (const flow of flows) {
      const template = flow.family === 4 ? T.ipv4 : T.ipv6;
      const size = recordLength(template.fields);
      const opening = !current || current.template !== template;
      if (bytes + size + (opening ? 4 + 3 : 0) > this.maxBytes) {
        current = undefined;
        flush();
      }
      if (!current || current.template !== template) {
        current = { template, records: [] };
        sets.push({ kind: 'data', template, records: current.records });
        bytes += 4 + 3;
      }
      current.records.push(flowRecordValues(template, flow, ctx));
      dataRecords++;
      bytes += size;
    }
    flush();
    return out;
  }
}
