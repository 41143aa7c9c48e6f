// Result type for untrusted-input decoders and parsers (STYLE: errors kind 1).
// Decoders never throw out: they return { ok: false, error: { code, offset } }.

export interface DecodeError {
  /** Stable snake_case code listed in docs/errors.md. */
  readonly code: string;
  /** Byte offset (from the start of the buffer handed to the decoder) where the problem was found. */
  readonly offset: number;
  readonly message: string;
}

export type Result<T, E = DecodeError> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}

export function decodeError(code: string, offset: number, message: string): DecodeError {
  return { code, offset, message };
}
