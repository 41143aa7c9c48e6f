// Decode failures that carry the NOTIFICATION they cause (RFC 4271 §6), and the wrapper that
// turns any throw inside a message decoder into a Result (decoders never throw out).
import { DecodeFailure } from '../../lib/byte-reader.js';
import { bytesToHex } from '../../lib/byte-writer.js';
import { type Result, err, ok } from '../../lib/result.js';
import type { BgpDecodeError, NotificationSpec } from './types.js';

export class BgpDecodeFailure extends DecodeFailure {
  override name = 'BgpDecodeFailure';
  constructor(
    code: string,
    offset: number,
    message: string,
    readonly notification: NotificationSpec,
  ) {
    super(code, offset, message);
  }
}

export function notification(code: number, subcode: number, data: Uint8Array | string = ''): NotificationSpec {
  return { code, subcode, data: typeof data === 'string' ? data : bytesToHex(data) };
}

export function failBgp(code: string, offset: number, message: string, n: NotificationSpec): never {
  throw new BgpDecodeFailure(code, offset, message, n);
}

/**
 * Run a message decoder. BgpDecodeFailure keeps its NOTIFICATION; a plain DecodeFailure
 * (e.g. `truncated` inside a field) gets `fallback`; anything else is `decoder_bug`, still
 * answered with `fallback` so the session resets instead of the process crashing.
 */
export function decodeBgp<T>(body: () => T, fallback: NotificationSpec): Result<T, BgpDecodeError> {
  try {
    return ok(body());
  } catch (e) {
    if (e instanceof BgpDecodeFailure) return err({ ...e.toDecodeError(), notification: e.notification });
    if (e instanceof DecodeFailure) return err({ ...e.toDecodeError(), notification: fallback });
    return err({
      code: 'decoder_bug',
      offset: -1,
      message: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
      notification: fallback,
    });
  }
}
