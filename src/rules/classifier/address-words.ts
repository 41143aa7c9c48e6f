// Addresses as unsigned 32-bit words (1 for IPv4, 4 for IPv6) so prefix tests are a few
// XOR-and-mask operations. Dotted-quad IPv4 text is parsed by hand (the hot path); anything
// else goes through the shared parser, with a small cache because destinations repeat.
import { parseAddress } from '../../lib/prefix.js';

export type AddressWords = Uint32Array;

/** Dotted-quad text to an unsigned 32-bit number, or -1 when it is not exactly a.b.c.d with decimal octets 0-255 (no leading zeros). */
export function parseDottedQuad(text: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && octet === 0) return -1; // leading zero: leave the odd forms to the full parser
      octet = octet * 10 + (c - 48);
      digits++;
      if (digits > 3 || octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else return -1;
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + octet;
}

export function bytesToWords(bytes: Uint8Array): AddressWords {
  const words = new Uint32Array(bytes.length / 4);
  for (let w = 0; w < words.length; w++) {
    words[w] = ((bytes[w * 4]! << 24) | (bytes[w * 4 + 1]! << 16) | (bytes[w * 4 + 2]! << 8) | bytes[w * 4 + 3]!) >>> 0;
  }
  return words;
}

const CACHE_LIMIT = 4096;

/** Parses address text to words, remembering recent non-dotted-quad results. */
export class AddressParser {
  private readonly cache = new Map<string, AddressWords | null>();

  parse(text: string): AddressWords | undefined {
    const v4 = parseDottedQuad(text);
    if (v4 >= 0) return Uint32Array.of(v4);
    let words = this.cache.get(text);
    if (words === undefined) {
      const bytes = parseAddress(text);
      words = bytes ? bytesToWords(bytes) : null;
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(text, words);
    }
    return words ?? undefined;
  }
}

/**
 * Per-word masks selecting prefix bits [offset, length) of a 32·wordCount-bit address
 * (RFC 8956 §3.1: an IPv6 prefix component with an offset compares only those bits).
 */
export function prefixWordMasks(wordCount: number, length: number, offset: number): Uint32Array {
  const masks = new Uint32Array(wordCount);
  const from = Math.max(0, offset);
  for (let w = 0; w < wordCount; w++) {
    const lo = Math.max(from, w * 32) - w * 32;
    const hi = Math.min(length, w * 32 + 32) - w * 32;
    if (hi <= lo) continue;
    // bits lo..hi-1 counted from the most significant bit of the word
    const upTo = hi === 32 ? 0xffffffff : (0xffffffff << (32 - hi)) >>> 0;
    const below = lo === 0 ? 0 : (0xffffffff << (32 - lo)) >>> 0;
    masks[w] = (upTo & ~below) >>> 0;
  }
  return masks;
}
