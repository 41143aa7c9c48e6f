// NetFlow version 9 (RFC 3954) datagram decoder -> FlowRecords.
//
// Header (§5.1): version 9, count (records of all kinds; not relied on), sysUptime, unix_secs,
// package sequence, source id. FlowSets (§5.2-§5.3): id 0 templates, id 1 options templates
// (§6.1: scope and option lengths in bytes), id >= 256 data; each is bounded by its own length,
// which is bounded by the datagram. A bad template loses that template; a bad FlowSet length
// ends the datagram; records decoded before a problem stay. Never throws.
import { ByteReader, decodeWith } from '../../lib/byte-reader.js';
import type { Result } from '../../lib/result.js';
import { NETFLOW9_FLOWSET } from '../ipfix/information-elements.js';
import { MAX_TEMPLATE_FIELDS, type TemplateField } from '../ipfix/record-plan.js';
import { type DatagramState, type TemplatedDecodeContext, type TemplatedDecoded, type SetLayout, finishDatagram, learnTemplate, newDatagramState, walkSets } from '../ipfix/templated-datagram.js';

export interface Netflow9Header {
  readonly version: 9;
  /** Records of every kind the exporter says it put in the packet. */
  readonly count: number;
  readonly sysUptimeMs: number;
  readonly unixSecs: number;
  readonly sequence: number;
  readonly sourceId: number;
}

export type Netflow9Decoded = TemplatedDecoded<Netflow9Header>;

export const NETFLOW9_HEADER_BYTES = 20;

function readTemplateFlowSet(st: DatagramState, r: ByteReader): void {
  // Template records until fewer than 4 bytes (padding) are left (§5.2).
  while (r.remaining >= 4) {
    const at = r.offset;
    const id = r.u16('template id');
    const count = r.u16('field count');
    if (id === 0 && count === 0) return; // zero padding
    if (count === 0 || count > MAX_TEMPLATE_FIELDS || count * 4 > r.remaining) {
      st.errors.push({ code: 'template_bad_field_count', offset: at + 2, message: `template ${id} claims ${count} fields; ${r.remaining} bytes (${Math.floor(r.remaining / 4)} fields) are left in the FlowSet` });
      return; // the next template cannot be found
    }
    const fields: TemplateField[] = new Array(count);
    for (let i = 0; i < count; i++) fields[i] = { id: r.u16('field type'), length: r.u16('field length'), enterprise: 0 };
    learnTemplate(st, at, id, 'data', fields, 0);
  }
}

function readOptionsTemplateFlowSet(st: DatagramState, r: ByteReader): void {
  // Options template records (§6.1); the FlowSet is padded to 32 bits, so stop on fewer than
  // 6 bytes or a zero template id.
  while (r.remaining >= 6) {
    const at = r.offset;
    const id = r.u16('template id');
    if (id === 0) return;
    const scopeBytes = r.u16('option scope length');
    const optionBytes = r.u16('option length');
    const count = (scopeBytes + optionBytes) / 4;
    if (scopeBytes % 4 !== 0 || optionBytes % 4 !== 0 || scopeBytes === 0 || count > MAX_TEMPLATE_FIELDS || scopeBytes + optionBytes > r.remaining) {
      st.errors.push({ code: 'template_bad_field_count', offset: at + 2, message: `options template ${id}: scope ${scopeBytes} and option ${optionBytes} bytes do not make whole fields within the ${r.remaining} bytes left` });
      return;
    }
    const fields: TemplateField[] = new Array(count);
    for (let i = 0; i < count; i++) fields[i] = { id: r.u16('field type'), length: r.u16('field length'), enterprise: 0 };
    learnTemplate(st, at, id, 'options', fields, scopeBytes / 4);
  }
}

const NETFLOW9_SETS: SetLayout = { template: NETFLOW9_FLOWSET.template, optionsTemplate: NETFLOW9_FLOWSET.optionsTemplate, minData: NETFLOW9_FLOWSET.minData, word: 'FlowSet', container: 'datagram', badLengthCode: 'netflow9_bad_flowset_length', reservedCode: 'netflow9_reserved_flowset_id', readTemplates: readTemplateFlowSet, readOptionsTemplates: readOptionsTemplateFlowSet };

export function decodeNetflow9(buf: Uint8Array, ctx: TemplatedDecodeContext): Result<Netflow9Decoded> {
  return decodeWith(() => {
    const r = new ByteReader(buf);
    const version = r.u16('version');
    if (version !== 9) r.fail('netflow_bad_version', `NetFlow version ${version}, expected 9`, 0);
    const count = r.u16('count');
    const sysUptimeMs = r.u32('sysUptime');
    const unixSecs = r.u32('unix_secs');
    const sequence = r.u32('package sequence');
    const sourceId = r.u32('source id');
    const header: Netflow9Header = { version: 9, count, sysUptimeMs, unixSecs, sequence, sourceId };
    const st = newDatagramState('netflow9', ctx, sourceId, { exportMs: unixSecs * 1000, sysUptimeMs });
    walkSets(st, r, buf, NETFLOW9_SETS);
    return finishDatagram(st, header);
  });
}
