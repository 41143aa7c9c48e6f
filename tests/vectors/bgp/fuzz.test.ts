// Seeded fast-check fuzz of the BGP decoder, 20,000 inputs (the million-message run is
// benchmarks/bgp-fuzz.ts): nothing throws, nothing is a decoder_bug, and whatever decodes can be
// encoded and decoded again. Any failure found becomes a vector in regressions/.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/lib/random.js';
import { bytesToHex } from '../../../src/lib/byte-writer.js';
import { decodeBgpMessage, encodeBgpMessage } from '../../../src/bgp/messages/index.js';
import { loadCorpus, mutate } from './fuzz/mutate.js';

/** Decode; if it decodes, encode and decode again. Returns the outcome code; throws on a bug. */
function exercise(input: Uint8Array): string {
  const d = decodeBgpMessage(input);
  if (!d.ok) {
    if (d.error.code === 'decoder_bug') throw new Error(`decoder_bug on ${bytesToHex(input)}: ${d.error.message}`);
    return d.error.code;
  }
  const again = decodeBgpMessage(encodeBgpMessage(d.value.message));
  if (!again.ok) throw new Error(`re-decode of ${bytesToHex(input)} failed: ${again.error.code} ${again.error.message}`);
  return d.value.issues.length > 0 ? `issues:${d.value.issues[0]!.code}` : `ok:${d.value.message.type}`;
}

describe('BGP decoder fuzz', () => {
  const corpus = loadCorpus();

  it('survives 15,000 mutated real messages (seeded)', () => {
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (seed) => {
        outcomes.add(exercise(mutate(corpus, seededRandom(seed))));
      }),
      { numRuns: 15_000, seed: 20240611 },
    );
    // The mutations reach the body decoders, not only the header checks.
    expect([...outcomes].some((k) => k.startsWith('issues:'))).toBe(true);
    expect([...outcomes].some((k) => k.startsWith('bgp_update_'))).toBe(true);
    expect([...outcomes].some((k) => k.startsWith('bgp_open_'))).toBe(true);
    expect(outcomes.has('ok:update')).toBe(true);
  });

  it('survives 5,000 arbitrary bodies behind a valid header of every type (seeded)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 600 }), (type, body) => {
        const msg = new Uint8Array(19 + body.length);
        msg.fill(0xff, 0, 16);
        msg[16] = msg.length >> 8;
        msg[17] = msg.length & 0xff;
        msg[18] = type;
        msg.set(body, 19);
        exercise(msg);
      }),
      { numRuns: 5_000, seed: 7 },
    );
  });
});
