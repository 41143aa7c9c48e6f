// Whole-message encode/decode: header checks, then the body decoder for the type.
// decodeBgpMessage never throws: a message we cannot accept comes back as an error carrying
// the NOTIFICATION to send; an UPDATE with RFC 7606 issues comes back with them listed.
import { ByteReader } from '../../lib/byte-reader.js';
import { ByteWriter, hexToBytes } from '../../lib/byte-writer.js';
import { type Result, err, ok } from '../../lib/result.js';
import { ERROR_CODE, HEADER_LENGTH, HEADER_SUBCODE, MESSAGE_TYPE, ROUTE_REFRESH_SUBCODE } from './constants.js';
import { decodeBgp, failBgp, notification } from './errors.js';
import { checkHeader, finishMessage, writeHeader } from './header.js';
import { readOpen, writeOpen } from './open.js';
import { readUpdate, writeUpdate } from './update.js';
import type { BgpDecodeError, BgpMessage, DecodeContext, DecodedMessage, NotificationSpec } from './types.js';

export const DEFAULT_DECODE_CONTEXT: DecodeContext = { fourOctetAs: true };

/** NOTIFICATION sent when a body decoder fails without a more specific one. */
const FALLBACK: Record<number, NotificationSpec> = {
  [MESSAGE_TYPE.open]: notification(ERROR_CODE.open, 0),
  [MESSAGE_TYPE.update]: notification(ERROR_CODE.update, 1),
  [MESSAGE_TYPE.notification]: notification(ERROR_CODE.messageHeader, HEADER_SUBCODE.badMessageLength),
  [MESSAGE_TYPE.keepalive]: notification(ERROR_CODE.messageHeader, HEADER_SUBCODE.badMessageLength),
  [MESSAGE_TYPE.routeRefresh]: notification(ERROR_CODE.routeRefresh, ROUTE_REFRESH_SUBCODE.invalidMessageLength),
};

/** Decode one complete message (exactly its bytes, header included). */
export function decodeBgpMessage(bytes: Uint8Array, ctx: DecodeContext = DEFAULT_DECODE_CONTEXT): Result<DecodedMessage, BgpDecodeError> {
  if (bytes.length < HEADER_LENGTH) {
    return err({ code: 'truncated', offset: 0, message: `${bytes.length} bytes, a header needs ${HEADER_LENGTH}`, notification: notification(ERROR_CODE.messageHeader, HEADER_SUBCODE.badMessageLength) });
  }
  const header = checkHeader(bytes);
  if (!header.ok) return header;
  const { length, type } = header.value;
  if (length !== bytes.length) {
    return err({
      code: 'bgp_header_length',
      offset: 16,
      message: `length field ${length} but ${bytes.length} bytes given`,
      notification: notification(ERROR_CODE.messageHeader, HEADER_SUBCODE.badMessageLength, bytes.subarray(16, 18)),
    });
  }
  return decodeBgp((): DecodedMessage => {
    const r = new ByteReader(bytes, HEADER_LENGTH, length);
    switch (type) {
      case MESSAGE_TYPE.open:
        return { message: readOpen(r), issues: [], treatAsWithdraw: false };
      case MESSAGE_TYPE.update: {
        const { message, issues } = readUpdate(r, ctx);
        return { message, issues, treatAsWithdraw: issues.some((i) => i.action === 'treat-as-withdraw') };
      }
      case MESSAGE_TYPE.notification:
        return { message: { type: 'notification', code: r.u8(), subcode: r.u8(), data: Buffer.from(r.bytes(r.remaining)).toString('hex') }, issues: [], treatAsWithdraw: false };
      case MESSAGE_TYPE.keepalive:
        return { message: { type: 'keepalive' }, issues: [], treatAsWithdraw: false };
      case MESSAGE_TYPE.routeRefresh: {
        // RFC 7313 §5: a ROUTE-REFRESH whose length is not 23 gets 7/1 with the whole message as data.
        if (length !== 23) failBgp('bgp_route_refresh_length', 16, `ROUTE-REFRESH length ${length}, expected 23`, notification(ERROR_CODE.routeRefresh, ROUTE_REFRESH_SUBCODE.invalidMessageLength, bytes));
        return { message: { type: 'route-refresh', afi: r.u16(), subtype: r.u8(), safi: r.u8() }, issues: [], treatAsWithdraw: false };
      }
      default:
        throw new Error(`checkHeader let type ${type} through`);
    }
  }, FALLBACK[type] ?? notification(ERROR_CODE.messageHeader, HEADER_SUBCODE.badMessageType));
}

/** Encode one message, header included. */
export function encodeBgpMessage(m: BgpMessage, ctx: DecodeContext = DEFAULT_DECODE_CONTEXT): Uint8Array {
  const w = new ByteWriter(m.type === 'update' ? 512 : 64);
  switch (m.type) {
    case 'open': {
      const at = writeHeader(w, MESSAGE_TYPE.open);
      writeOpen(w, m);
      return finishMessage(w, at);
    }
    case 'update': {
      const at = writeHeader(w, MESSAGE_TYPE.update);
      writeUpdate(w, m, ctx);
      return finishMessage(w, at);
    }
    case 'notification': {
      const at = writeHeader(w, MESSAGE_TYPE.notification);
      w.u8(m.code).u8(m.subcode).bytes(hexToBytes(m.data));
      return finishMessage(w, at);
    }
    case 'keepalive': {
      const at = writeHeader(w, MESSAGE_TYPE.keepalive);
      return finishMessage(w, at);
    }
    case 'route-refresh': {
      const at = writeHeader(w, MESSAGE_TYPE.routeRefresh);
      w.u16(m.afi).u8(m.subtype).u8(m.safi);
      return finishMessage(w, at);
    }
  }
}

/** Split a byte stream (e.g. a captured TCP payload) into messages; stops at the first bad header. */
export function splitMessages(stream: Uint8Array): { messages: Uint8Array[]; error?: BgpDecodeError; rest: number } {
  const messages: Uint8Array[] = [];
  let at = 0;
  while (stream.length - at >= HEADER_LENGTH) {
    const h = checkHeader(stream, at);
    if (!h.ok) return { messages, error: h.error, rest: stream.length - at };
    if (stream.length - at < h.value.length) break;
    messages.push(stream.subarray(at, at + h.value.length));
    at += h.value.length;
  }
  return ok({ messages, rest: stream.length - at }).value;
}
