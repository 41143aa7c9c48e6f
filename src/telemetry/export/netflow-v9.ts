// NetFlow version 9 export (RFC 3954): packet header (§5.1), template FlowSets (id 0, §5.2),
// options template FlowSets (id 1, §6.1), data FlowSets (id >= 256, §5.3) padded to 32 bits.
// encodeNetflowV9 writes one export packet from FlowSets; NetflowV9Exporter keeps an exporter's
// state (package sequence, template refresh) and packs flows into packets. Pure.
import { ByteWriter } from '../../lib/byte-writer.js';
import type { ExportFlow } from './flow-meter.js';
import { type DataTemplate, FIELD, type FieldValue, type OptionsTemplate, V9_SCOPE, flowRecordValues, recordLength, writeField } from './template-encoding.js';

export const NETFLOW_V9_FLOWSET = { template: 0, optionsTemplate: 1 } as const;

export interface NetflowV9Header {
  readonly sysUptimeMs: number;
  readonly unixSecs: number;
  /** Package sequence: incremented per export packet (RFC 3954 §5.1). */
  readonly sequence: number;
  readonly sourceId: number;
}

export type NetflowV9FlowSet =
  | { readonly kind: 'templates'; readonly templates: readonly DataTemplate[] }
  | { readonly kind: 'options-templates'; readonly templates: readonly OptionsTemplate[] }
  | { readonly kind: 'data'; readonly template: DataTemplate | OptionsTemplate; readonly records: readonly (readonly FieldValue[])[] };

const pad4 = (w: ByteWriter, from: number): void => {
  while ((w.length - from) % 4 !== 0) w.u8(0);
};

function allFields(t: DataTemplate | OptionsTemplate): DataTemplate['fields'] {
  return 'scopeFields' in t ? [...t.scopeFields, ...t.fields] : t.fields;
}

/** Records counted in the header: template records, options template records and data records. */
function recordCount(sets: readonly NetflowV9FlowSet[]): number {
  return sets.reduce((n, s) => n + (s.kind === 'data' ? s.records.length : s.templates.length), 0);
}

export function encodeNetflowV9(h: NetflowV9Header, sets: readonly NetflowV9FlowSet[]): Uint8Array {
  const w = new ByteWriter(1500);
  w.u16(9).u16(recordCount(sets)).u32(h.sysUptimeMs >>> 0).u32(h.unixSecs >>> 0).u32(h.sequence >>> 0).u32(h.sourceId >>> 0);
  for (const s of sets) {
    const start = w.length;
    w.u16(s.kind === 'templates' ? NETFLOW_V9_FLOWSET.template : s.kind === 'options-templates' ? NETFLOW_V9_FLOWSET.optionsTemplate : s.template.id);
    const lenAt = w.reserve(2);
    if (s.kind === 'templates') {
      for (const t of s.templates) {
        w.u16(t.id).u16(t.fields.length);
        for (const f of t.fields) w.u16(f.type).u16(f.length);
      }
    } else if (s.kind === 'options-templates') {
      for (const t of s.templates) {
        w.u16(t.id).u16(t.scopeFields.length * 4).u16(t.fields.length * 4);
        for (const f of [...t.scopeFields, ...t.fields]) w.u16(f.type).u16(f.length);
      }
      pad4(w, start);
    } else {
      const fields = allFields(s.template);
      for (const r of s.records) {
        if (r.length !== fields.length) throw new Error(`record has ${r.length} values, template ${s.template.id} has ${fields.length} fields`);
        fields.forEach((f, i) => writeField(w, f, r[i]!));
      }
      pad4(w, start);
    }
    w.setU16(lenAt, w.length - start);
  }
  return w.finish();
}

const f = (type: number, length: number) => ({ type, length });

/** The templates the synthetic exporter uses. */
export const NETFLOW_V9_TEMPLATES = {
  ipv4: {
    id: 256,
    fields: [
      f(FIELD.sourceIPv4Address, 4), f(FIELD.destinationIPv4Address, 4), f(FIELD.sourceTransportPort, 2), f(FIELD.destinationTransportPort, 2),
      f(FIELD.protocolIdentifier, 1), f(FIELD.tcpControlBits, 1), f(FIELD.ipClassOfService, 1), f(FIELD.minimumTTL, 1), f(FIELD.maximumTTL, 1),
      f(FIELD.packetDeltaCount, 4), f(FIELD.octetDeltaCount, 4), f(FIELD.flowStartSysUpTime, 4), f(FIELD.flowEndSysUpTime, 4),
      f(FIELD.ingressInterface, 2), f(FIELD.egressInterface, 2), f(FIELD.icmpTypeCodeIPv4, 2), f(FIELD.fragmentOffset, 2), f(FIELD.fragmentFlags, 1),
    ],
  },
  ipv6: {
    id: 257,
    fields: [
      f(FIELD.sourceIPv6Address, 16), f(FIELD.destinationIPv6Address, 16), f(FIELD.sourceTransportPort, 2), f(FIELD.destinationTransportPort, 2),
      f(FIELD.protocolIdentifier, 1), f(FIELD.tcpControlBits, 1), f(FIELD.ipClassOfService, 1), f(FIELD.minimumTTL, 1), f(FIELD.maximumTTL, 1),
      f(FIELD.packetDeltaCount, 4), f(FIELD.octetDeltaCount, 4), f(FIELD.flowStartSysUpTime, 4), f(FIELD.flowEndSysUpTime, 4),
      f(FIELD.ingressInterface, 2), f(FIELD.egressInterface, 2), f(FIELD.icmpTypeCodeIPv6, 2), f(FIELD.flowLabelIPv6, 3), f(FIELD.fragmentOffset, 2), f(FIELD.fragmentFlags, 1),
    ],
  },
  /** Sampling parameters of the whole exporter (scope: System). */
  sampling: { id: 258, scopeFields: [f(V9_SCOPE.system, 4)], fields: [f(FIELD.samplingInterval, 4), f(FIELD.samplingAlgorithm, 1)] },
} as const satisfies { ipv4: DataTemplate; ipv6: DataTemplate; sampling: OptionsTemplate };

export interface TemplateExporterOptions {
  /** NetFlow v9 source id / IPFIX observation domain id. */
  readonly domainId: number;
  /** Exporter boot time, ms since the epoch (sysUpTime origin). */
  readonly bootMs: number;
  /** 1-in-N packet sampling the flows were metered under (announced in an options record). */
  readonly sampleRate: number;
  /** Resend templates every N export packets and at least every templateRefreshMs. */
  readonly templateRefreshPackets?: number;
  readonly templateRefreshMs?: number;
  readonly maxDatagramBytes?: number;
}

export class NetflowV9Exporter {
  private sequence = 0;
  private packetsSinceTemplates = Number.POSITIVE_INFINITY;
  private lastTemplatesMs = Number.NEGATIVE_INFINITY;
  private readonly maxBytes: number;

  constructor(private readonly o: TemplateExporterOptions) {
    this.maxBytes = o.maxDatagramBytes ?? 1400;
  }

  private templatesDue(nowMs: number): boolean {
    return this.packetsSinceTemplates >= (this.o.templateRefreshPackets ?? 20) || nowMs - this.lastTemplatesMs >= (this.o.templateRefreshMs ?? 30_000);
  }

  private header(nowMs: number): NetflowV9Header {
    return { sysUptimeMs: Math.max(0, Math.round(nowMs - this.o.bootMs)), unixSecs: Math.floor(nowMs / 1000), sequence: this.sequence++, sourceId: this.o.domainId };
  }

  /** Export packets for these flows at `nowMs` (templates first when due; an empty list may still send templates). */
  exportFlows(flows: readonly ExportFlow[], nowMs: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const T = NETFLOW_V9_TEMPLATES;
    const ctx = { bootMs: this.o.bootMs };
    let sets: NetflowV9FlowSet[] = [];
    let bytes = 20;
    const flush = (): void => {
      if (sets.length === 0) return;
      out.push(encodeNetflowV9(this.header(nowMs), sets));
      this.packetsSinceTemplates++;
      sets = [];
      bytes = 20;
    };
    if (this.templatesDue(nowMs)) {
      sets.push({ kind: 'templates', templates: [T.ipv4, T.ipv6] }, { kind: 'options-templates', templates: [T.sampling] }, { kind: 'data', template: T.sampling, records: [[this.o.domainId, this.o.sampleRate, this.o.sampleRate > 1 ? 2 : 1]] });
      bytes = encodeNetflowV9({ sysUptimeMs: 0, unixSecs: 0, sequence: 0, sourceId: 0 }, sets).length;
      this.packetsSinceTemplates = 0;
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
      bytes += size;
    }
    flush();
    return out;
  }
}
