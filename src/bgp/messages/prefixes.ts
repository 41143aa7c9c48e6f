// IPv4/IPv6 prefix lists in BGP's <length, prefix> encoding (RFC 4271 §4.3, RFC 4760 §5).
import type { ByteReader } from '../../lib/byte-reader.js';
import type { ByteWriter } from '../../lib/byte-writer.js';
import { formatPrefix, maskBytes, parsePrefix } from '../../lib/prefix.js';
import { assert } from '../../lib/assert.js';

/** Read prefixes to the end of the reader. Lengths beyond the family maximum fail with `code`. */
export function readPrefixList(r: ByteReader, family: 4 | 6, code: string): string[] {
  const max = family === 4 ? 32 : 128;
  const out: string[] = [];
  while (!r.atEnd()) {
    const at = r.offset;
    const length = r.u8('prefix length');
    if (length > max) r.fail(code, `prefix length ${length} beyond ${max}`, at);
    const bytes = new Uint8Array(max / 8);
    bytes.set(r.bytes(Math.ceil(length / 8), 'prefix'));
    out.push(formatPrefix({ family, bytes: maskBytes(bytes, length), length }));
  }
  return out;
}

export function writePrefixList(w: ByteWriter, prefixes: readonly string[]): void {
  for (const text of prefixes) {
    const p = parsePrefix(text, { allowHostBits: true });
    assert(p.ok, `prefix "${text}" is not CIDR`);
    w.u8(p.value.length).bytes(p.value.bytes.subarray(0, Math.ceil(p.value.length / 8)));
  }
}
