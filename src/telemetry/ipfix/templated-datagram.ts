// What NetFlow v9 and IPFIX datagram decoding share: the decode context and result, learning a
// template (and decoding the data sets that were waiting for it), and a data set's fate
// (decoded, or a template miss that is buffered).
import { type ByteReader, DecodeFailure } from '../../lib/byte-reader.js';
import type { DecodeError } from '../../lib/result.js';
import type { FlowRecord, FlowSource } from '../flow-record.js';
import type { ExporterScope, SetHeaderContext, TemplateCache } from '../template-cache.js';
import { type DataSetContext, type TemplateField, compileTemplate, decodeDataSet, isTemplateProblem } from './record-plan.js';

export interface TemplatedDecodeContext {
  /** Template and sampling state (per exporter scope); the same cache for every datagram. */
  readonly templates: TemplateCache;
  /** Exporter address text; FlowRecord.exporter. */
  readonly exporter: string;
  /**
   * Transport session the templates belong to (RFC 7011 §8: templates are scoped to the session
   * and observation domain), e.g. "192.0.2.1:50123". Defaults to `exporter`.
   */
  readonly session?: string;
  /** Receive time, ms since the epoch: template expiry and pending-set ageing use it. */
  readonly nowMs: number;
}

export interface TemplatedDecoded<H> {
  readonly header: H;
  /** Flow records, in datagram order; records of buffered sets follow their template. */
  readonly records: FlowRecord[];
  /** Sets or records that were lost or skipped, and template misses, with where and why. */
  readonly errors: DecodeError[];
  /** Template and options template records defined (new, refreshed or changed). */
  readonly templates: number;
  readonly templatesWithdrawn: number;
  readonly optionsRecords: number;
  /** Data records without a source and destination address (not flows a FlowRecord can hold). */
  readonly recordsWithoutAddresses: number;
  /** Buffered data sets decoded because their template arrived in this datagram. */
  readonly pendingDecoded: number;
}

/** Mutable per-datagram state of a templated decoder. */
export interface DatagramState {
  readonly source: Extract<FlowSource, 'netflow9' | 'ipfix'>;
  readonly ctx: TemplatedDecodeContext;
  readonly scope: ExporterScope;
  readonly domain: number;
  readonly header: SetHeaderContext;
  readonly records: FlowRecord[];
  readonly errors: DecodeError[];
  readonly counts: { recordsWithoutAddresses: number; optionsRecords: number };
  templates: number;
  templatesWithdrawn: number;
  pendingDecoded: number;
}

export function newDatagramState(source: DatagramState['source'], ctx: TemplatedDecodeContext, domain: number, header: SetHeaderContext): DatagramState {
  const scope = ctx.templates.scope(source === 'netflow9' ? 9 : 10, ctx.session ?? ctx.exporter, ctx.exporter, domain);
  return { source, ctx, scope, domain, header, records: [], errors: [], counts: { recordsWithoutAddresses: 0, optionsRecords: 0 }, templates: 0, templatesWithdrawn: 0, pendingDecoded: 0 };
}

export function finishDatagram<H>(st: DatagramState, header: H): TemplatedDecoded<H> {
  return {
    header,
    records: st.records,
    errors: st.errors,
    templates: st.templates,
    templatesWithdrawn: st.templatesWithdrawn,
    optionsRecords: st.counts.optionsRecords,
    recordsWithoutAddresses: st.counts.recordsWithoutAddresses,
    pendingDecoded: st.pendingDecoded,
  };
}

function setContext(st: DatagramState, header: SetHeaderContext): DataSetContext {
  return { source: st.source, exporter: st.ctx.exporter, domain: st.domain, exportMs: header.exportMs, sysUptimeMs: header.sysUptimeMs, scope: st.scope, cache: st.ctx.templates, records: st.records, errors: st.errors, counts: st.counts };
}

/** Compile and store a template definition found at `offset`; decode sets that waited for it. */
export function learnTemplate(st: DatagramState, offset: number, id: number, kind: 'data' | 'options', fields: readonly TemplateField[], scopeFieldCount: number): void {
  if (id < 256) {
    st.errors.push({ code: 'template_bad_id', offset, message: `template id ${id} is below 256` });
    return;
  }
  const ipfix = st.source === 'ipfix';
  const plan = compileTemplate(id, kind, fields, scopeFieldCount, ipfix);
  if (isTemplateProblem(plan)) {
    st.errors.push({ code: plan.code, offset, message: plan.message });
    return;
  }
  if (plan.ignoredFields > 0) st.errors.push({ code: 'template_field_bad_length', offset, message: `template ${id}: ${plan.ignoredFields} field(s) have a length their element cannot have and are ignored` });
  st.ctx.templates.learn(st.scope, plan, st.ctx.nowMs);
  st.templates++;
  const waiting = st.ctx.templates.takePending(st.scope, id, st.ctx.nowMs);
  for (const p of waiting) {
    decodeDataSet(p.bytes, 0, p.bytes.length, plan, setContext(st, p.header));
    st.pendingDecoded++;
  }
}

/** A data set buf[start, end) (records only) for template `id`. */
export function handleDataSet(st: DatagramState, buf: Uint8Array, setOffset: number, start: number, end: number, id: number): void {
  const plan = st.ctx.templates.lookup(st.scope, id, st.ctx.nowMs);
  if (plan) {
    decodeDataSet(buf, start, end, plan, setContext(st, st.header));
    return;
  }
  st.ctx.templates.stats.misses++;
  const buffered = st.ctx.templates.buffer(st.scope, id, buf.subarray(start, end), st.header, st.ctx.nowMs);
  st.errors.push({ code: 'template_miss', offset: setOffset, message: `no template ${id} for this data set from ${st.ctx.exporter} domain ${st.domain}${buffered ? ' (buffered until it arrives)' : ''}` });
}

/** How a format names and numbers its sets (IPFIX "set", NetFlow v9 "FlowSet"). */
export interface SetLayout {
  readonly template: number;
  readonly optionsTemplate: number;
  readonly minData: number;
  /** "set" or "FlowSet", in messages. */
  readonly word: string;
  /** "message" or "datagram", in messages. */
  readonly container: string;
  readonly badLengthCode: string;
  readonly reservedCode: string;
  readonly readTemplates: (st: DatagramState, body: ByteReader) => void;
  readonly readOptionsTemplates: (st: DatagramState, body: ByteReader) => void;
}

/**
 * The sets after the header, each bounded by its own length: templates are learned, data sets
 * decoded (or buffered until their template comes), reserved ids skipped. A length that does not
 * fit ends the walk; a set whose contents fail is lost alone, the next starts at its length.
 */
export function walkSets(st: DatagramState, r: ByteReader, buf: Uint8Array, layout: SetLayout): void {
  while (r.remaining >= 4) {
    const setAt = r.offset;
    const id = r.u16(`${layout.word} id`);
    const length = r.u16(`${layout.word} length`);
    if (length < 4 || length - 4 > r.remaining) {
      st.errors.push({ code: layout.badLengthCode, offset: setAt + 2, message: `${layout.word} length ${length}; ${r.remaining + 4} bytes are left in the ${layout.container}` });
      break;
    }
    const body = r.sub(length - 4, layout.word);
    try {
      if (id === layout.template) layout.readTemplates(st, body);
      else if (id === layout.optionsTemplate) layout.readOptionsTemplates(st, body);
      else if (id >= layout.minData) handleDataSet(st, buf, setAt, body.offset, body.end, id);
      else st.errors.push({ code: layout.reservedCode, offset: setAt, message: `${layout.word} id ${id} is reserved; skipped` });
    } catch (e) {
      if (!(e instanceof DecodeFailure)) throw e;
      st.errors.push(e.toDecodeError()); // this set is lost; the next starts at its length
    }
  }
}
