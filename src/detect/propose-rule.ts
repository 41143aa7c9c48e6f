// Signature -> proposed MitigationRule: scoped to the PoPs that see the attack, with an expiry
// and provenance. The caller runs it through the validator.
import type { MitigationRule } from '../rules/model.js';
import type { Attack, Signature } from './types.js';

export interface ProposeOptions {
  readonly nowMs: number;
  readonly ttlMs?: number;
  readonly author?: string;
  /** Above this collateral, rate-limit instead of discarding. */
  readonly maxCollateralForDiscard?: number;
  /** Rate for the rate-limit action (bytes/s). */
  readonly rateLimitBytesPerSec?: number;
}

export function proposeRule(attack: Attack, signature: Signature, opts: ProposeOptions): MitigationRule {
  const ttlMs = opts.ttlMs ?? 60 * 60 * 1000;
  const discard = signature.collateral <= (opts.maxCollateralForDiscard ?? 0.01);
  return {
    id: `mit-${attack.id}`,
    family: attack.family === 4 ? 'ipv4' : 'ipv6',
    match: signature.match,
    action: discard ? { kind: 'discard' } : { kind: 'rate-limit-bytes', bytesPerSec: opts.rateLimitBytesPerSec ?? 12_500_000 },
    scope: { kind: 'pops', pops: [...attack.pops] },
    expiresAt: new Date(opts.nowMs + ttlMs).toISOString(),
    provenance: {
      origin: 'profiler',
      author: opts.author ?? 'failsmall-profiler',
      attackId: attack.id,
      signatureId: signature.id,
      reason: `${attack.type} towards ${attack.destination}: coverage ${(signature.coverage * 100).toFixed(1)}%, collateral ${(signature.collateral * 100).toFixed(2)}%`,
    },
  };
}
