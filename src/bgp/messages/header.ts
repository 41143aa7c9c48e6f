// Message header (RFC 4271 §4.1) and stream framing with the §6.1 header checks.
//
//  +-----------------------------------------------+
//  |                 Marker (16 bytes of 0xff)     |
//  +-----------------------+-----------+-----------+
//  |   Length (2 bytes)    | Type (1)  |
//  +-----------------------+-----------+
import { ByteWriter } from '../../lib/byte-writer.js';
import { assert } from '../../lib/assert.js';
import { type Result, err, ok } from '../../lib/result.js';
import { ERROR_CODE, HEADER_LENGTH, HEADER_SUBCODE, MAX_MESSAGE_LENGTH, MESSAGE_TYPE } from './constants.js';
import { notification } from './errors.js';
import type { BgpDecodeError } from './types.js';

export interface MessageHeader {
  readonly length: number;
  readonly type: number;
}

/** Smallest legal length per type, checked with the header (RFC 4271 §6.1). ROUTE-REFRESH length is RFC 7313's own error. */
const MIN_LENGTH: Record<number, number> = { 1: 29, 2: 23, 3: 21, 4: 19, 5: HEADER_LENGTH };

function headerError(code: string, offset: number, message: string, subcode: number, data: Uint8Array): { ok: false; error: BgpDecodeError } {
  return err({ code, offset, message, notification: notification(ERROR_CODE.messageHeader, subcode, data) });
}

/**
 * Check the 19-byte header at `offset` (the caller has at least 19 bytes there).
 * Returns the message length and type, or the NOTIFICATION 1/x to send.
 */
export function checkHeader(buf: Uint8Array, offset = 0): Result<MessageHeader, BgpDecodeError> {
  for (let i = 0; i < 16; i++) {
    if (buf[offset + i] !== 0xff) {
      return headerError('bgp_header_marker', offset + i, 'marker is not all ones', HEADER_SUBCODE.connectionNotSynchronized, new Uint8Array());
    }
  }
  const length = (buf[offset + 16]! << 8) | buf[offset + 17]!;
  const type = buf[offset + 18]!;
  const lengthField = buf.subarray(offset + 16, offset + 18);
  if (length < HEADER_LENGTH || length > MAX_MESSAGE_LENGTH) {
    return headerError('bgp_header_length', offset + 16, `length ${length} outside ${HEADER_LENGTH}..${MAX_MESSAGE_LENGTH}`, HEADER_SUBCODE.badMessageLength, lengthField);
  }
  const min = MIN_LENGTH[type];
  if (min === undefined) {
    return headerError('bgp_header_type', offset + 18, `unknown message type ${type}`, HEADER_SUBCODE.badMessageType, Uint8Array.of(type));
  }
  if (length < min || (type === MESSAGE_TYPE.keepalive && length !== HEADER_LENGTH)) {
    return headerError('bgp_header_length', offset + 16, `length ${length} is wrong for message type ${type}`, HEADER_SUBCODE.badMessageLength, lengthField);
  }
  return ok({ length, type });
}

export function writeHeader(w: ByteWriter, type: number): number {
  for (let i = 0; i < 16; i++) w.u8(0xff);
  const at = w.reserve(2);
  w.u8(type);
  return at;
}

/** Accumulates TCP bytes and cuts whole messages, checking each header as soon as it is complete. */
export class MessageFramer {
  private buf: Uint8Array = new Uint8Array(0);

  /** Append bytes; returns complete messages, and an error if a header is bad (stop reading then). */
  push(chunk: Uint8Array): { messages: Uint8Array[]; error?: BgpDecodeError } {
    if (this.buf.length === 0) this.buf = chunk;
    else {
      const next = new Uint8Array(this.buf.length + chunk.length);
      next.set(this.buf);
      next.set(chunk, this.buf.length);
      this.buf = next;
    }
    const messages: Uint8Array[] = [];
    let at = 0;
    while (this.buf.length - at >= HEADER_LENGTH) {
      const h = checkHeader(this.buf, at);
      if (!h.ok) {
        this.buf = new Uint8Array(0);
        return { messages, error: h.error };
      }
      if (this.buf.length - at < h.value.length) break;
      messages.push(this.buf.slice(at, at + h.value.length));
      at += h.value.length;
    }
    this.buf = at === 0 ? this.buf : this.buf.slice(at);
    return { messages };
  }

  get buffered(): number {
    return this.buf.length;
  }
}

/** Finish a message whose header was written with writeHeader at position 0. */
export function finishMessage(w: ByteWriter, lengthAt: number): Uint8Array {
  assert(w.length <= MAX_MESSAGE_LENGTH, `message of ${w.length} bytes exceeds ${MAX_MESSAGE_LENGTH}`);
  w.setU16(lengthAt, w.length);
  return w.finish();
}
