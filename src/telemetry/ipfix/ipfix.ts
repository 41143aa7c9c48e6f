// IPFIX (RFC 7011) message decoder -> FlowRecords.
//
// Message header (§3.1): version 10, length, export time, sequence, observation domain id; the
// message length bounds every set, and each set length bounds its records. Sets (§3.3): 2
// templates, 3 options templates (§3.4.2.2, scope field count first), >= 256 data, 4..255
// reserved. Template fields (§3.2) carry the enterprise bit and a 4-byte enterprise number;
// variable-length fields (§7) are 65535 in the template. Withdrawal (§8.1): a template record
// with field count 0 withdraws that id; id 2 (or 3) with count 0 withdraws all templates (or
// options templates) of the domain. Never throws; a bad set length ends the message, a bad
// template loses that template, records decoded before a problem stay.
import { ByteReader, decodeWith } from '../../lib/byte-reader.js';
import type { Result } from '../../lib/result.js';
import { IPFIX_SET } from './information-elements.js';
import { MAX_TEMPLATE_FIELDS, type TemplateField } from './record-plan.js';
import { type DatagramState, type TemplatedDecodeContext, type TemplatedDecoded, type SetLayout, finishDatagram, learnTemplate, newDatagramState, walkSets } from './templated-datagram.js';

export interface IpfixHeader {
  readonly version: 10;
  readonly length: number;
  readonly exportTimeSec: number;
  readonly sequence: number;
  readonly observationDomain: number;
}

export type IpfixDecoded = TemplatedDecoded<IpfixHeader>;

export const IPFIX_HEADER_BYTES = 16;

function readFields(st: DatagramState, r: ByteReader, id: number, count: number, at: number): TemplateField[] | undefined {
  // Every field takes at least 4 bytes: a count the set cannot hold is absurd, and the next
  // template record cannot be found after it.
  if (count > MAX_TEMPLATE_FIELDS || count * 4 > r.remaining) {
    st.errors.push({ code: 'template_bad_field_count', offset: at + 2, message: `template ${id} claims ${count} fields; ${r.remaining} bytes (at most ${Math.floor(r.remaining / 4)} fields) are left in the set` });
    return undefined;
  }
  const fields: TemplateField[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const raw = r.u16('information element id');
    const length = r.u16('field length');
    const enterprise = raw & 0x8000 ? r.u32('enterprise number') : 0;
    fields[i] = { id: raw & 0x7fff, length, enterprise };
  }
  return fields;
}

function withdraw(st: DatagramState, id: number, setId: number): void {
  const which = id === IPFIX_SET.template ? 'all-data' : id === IPFIX_SET.optionsTemplate ? 'all-options' : id;
  if (typeof which === 'string' && id !== setId) return; // e.g. "withdraw all options" inside a template set: ignore
  st.templatesWithdrawn += st.ctx.templates.withdraw(st.scope, which);
}

/** Template records (set 2) or options template records (set 3, with a scope field count). */
function readTemplateRecords(st: DatagramState, r: ByteReader, kind: 'data' | 'options'): void {
  const setId = kind === 'data' ? IPFIX_SET.template : IPFIX_SET.optionsTemplate;
  while (r.remaining >= 4) {
    const at = r.offset;
    const id = r.u16('template id');
    const count = r.u16('field count');
    if (count === 0) {
      if (id === 0) return; // padding
      withdraw(st, id, setId);
      continue;
    }
    let scopeCount = 0;
    if (kind === 'options') {
      scopeCount = r.u16('scope field count');
      if (scopeCount === 0 || scopeCount > count) {
        // §3.4.2.2: the scope field count MUST NOT be zero. The fields can still be skipped.
        st.errors.push({ code: 'template_bad_scope_count', offset: at + 4, message: `options template ${id} has scope field count ${scopeCount} of ${count} fields` });
        if (!readFields(st, r, id, count, at)) return;
        continue;
      }
    }
    const fields = readFields(st, r, id, count, at);
    if (!fields) return;
    learnTemplate(st, at, id, kind, fields, scopeCount);
  }
}

const IPFIX_SETS: SetLayout = { template: IPFIX_SET.template, optionsTemplate: IPFIX_SET.optionsTemplate, minData: IPFIX_SET.minData, word: 'set', container: 'message', badLengthCode: 'ipfix_bad_set_length', reservedCode: 'ipfix_reserved_set_id', readTemplates: (st, r) => readTemplateRecords(st, r, 'data'), readOptionsTemplates: (st, r) => readTemplateRecords(st, r, 'options') };

export function decodeIpfix(buf: Uint8Array, ctx: TemplatedDecodeContext): Result<IpfixDecoded> {
  return decodeWith(() => {
    const outer = new ByteReader(buf);
    const version = outer.u16('version');
    if (version !== 10) outer.fail('ipfix_bad_version', `IPFIX version ${version}, expected 10`, 0);
    const length = outer.u16('message length');
    if (length < IPFIX_HEADER_BYTES || length > buf.length) outer.fail('ipfix_bad_message_length', `message length ${length}; the datagram has ${buf.length} bytes and a header takes 16`, 2);
    const r = new ByteReader(buf, 4, length);
    const exportTimeSec = r.u32('export time');
    const sequence = r.u32('sequence number');
    const observationDomain = r.u32('observation domain id');
    const header: IpfixHeader = { version: 10, length, exportTimeSec, sequence, observationDomain };
    const st = newDatagramState('ipfix', ctx, observationDomain, { exportMs: exportTimeSec * 1000, sysUptimeMs: -1 });
    walkSets(st, r, buf, IPFIX_SETS);
    return finishDatagram(st, header);
  });
}
