// Seeded mutation of BGP messages for fuzzing the decoder (used by the vitest fuzz and by
// benchmarks/bgp-fuzz.ts). Mutations keep the header plausible most of the time so the body
// decoders (OPEN, UPDATE attributes, MP_REACH, Flowspec NLRI) are reached, not just header checks.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Random } from '../../../../src/lib/random.js';
import { hexToBytes } from '../../../../src/lib/byte-writer.js';
import { buildAnnounceUpdates, buildEndOfRib, buildWithdrawUpdates, encodeBgpMessage, ribEntryFor, buildOpen, FLOWSPEC_FAMILIES } from '../../../../src/bgp/index.js';
import { ruleToFlowspec } from '../../../../src/flowspec/index.js';
import { INTEROP_RULES } from '../../../interop/bgp-rules.js';

const vectorsDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every vector message plus UPDATEs the encoder builds from the interop rule set. */
export function loadCorpus(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const dir of ['captured', 'bad', 'regressions']) {
    for (const f of readdirSync(join(vectorsDir, dir)).filter((n) => n.endsWith('.hex'))) {
      out.push(hexToBytes(readFileSync(join(vectorsDir, dir, f), 'utf8')));
    }
  }
  const entries = INTEROP_RULES.map((r) => {
    const enc = ruleToFlowspec(r);
    if (!enc.ok) throw new Error(enc.error.message);
    return ribEntryFor(r, enc.value);
  });
  out.push(...buildAnnounceUpdates({ localAs: 65000, peerAs: 65001, fourOctetAs: true }, entries));
  out.push(...buildAnnounceUpdates({ localAs: 65000, peerAs: 65000, fourOctetAs: false }, entries.slice(0, 3)));
  out.push(...buildWithdrawUpdates(entries), buildEndOfRib(1), buildEndOfRib(2));
  out.push(encodeBgpMessage(buildOpen({ localAs: 4200000001, peerAs: 1, routerId: '192.0.2.1', holdTimeSec: 90, connectRetrySec: 5, passive: false, families: FLOWSPEC_FAMILIES, idleHoldSec: 1, gracefulRestartSec: 120 })));
  out.push(encodeBgpMessage({ type: 'route-refresh', afi: 1, subtype: 0, safi: 133 }));
  out.push(encodeBgpMessage({ type: 'notification', code: 6, subcode: 2, data: '03627965' }));
  return out;
}

const INTERESTING = [0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xc0, 0xf0, 0xf1, 0xfe, 0xff, 0x0e, 0x0f, 0x10, 0x85];

/** One mutated message from the corpus. */
export function mutate(corpus: readonly Uint8Array[], rnd: Random): Uint8Array {
  let b = Array.from(rnd.pick(corpus));
  const rounds = rnd.int(1, 4);
  for (let i = 0; i < rounds; i++) {
    const at = rnd.int(0, Math.max(0, b.length - 1));
    switch (rnd.int(0, 7)) {
      case 0:
        b[at] = (b[at] ?? 0) ^ (1 << rnd.int(0, 7));
        break;
      case 1:
        b[at] = rnd.pick(INTERESTING);
        break;
      case 2:
        b = b.slice(0, rnd.int(19, Math.max(19, b.length)));
        break;
      case 3: {
        const ins = Array.from({ length: rnd.int(1, 8) }, () => rnd.int(0, 255));
        b.splice(at, 0, ...ins);
        break;
      }
      case 4: {
        const len = rnd.int(1, 16);
        b.splice(at, 0, ...b.slice(at, at + len));
        break;
      }
      case 5:
        // Nudge a byte that may be a length field.
        b[at] = ((b[at] ?? 0) + rnd.pick([-3, -2, -1, 1, 2, 3, 16, -16])) & 0xff;
        break;
      case 6: {
        const other = rnd.pick(corpus);
        const from = rnd.int(19, Math.max(19, other.length - 1));
        b.splice(at, rnd.int(0, 8), ...Array.from(other.slice(from, from + rnd.int(1, 24))));
        break;
      }
      default:
        b.splice(at, rnd.int(1, 6));
        break;
    }
  }
  if (b.length > 4096) b = b.slice(0, 4096);
  if (rnd.next() < 0.9 && b.length >= 19) for (let i = 0; i < 16; i++) b[i] = 0xff;
  if (rnd.next() < 0.85 && b.length >= 19) {
    b[16] = (b.length >> 8) & 0xff;
    b[17] = b.length & 0xff;
  }
  return Uint8Array.from(b);
}
