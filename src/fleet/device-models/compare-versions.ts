// OS version ordering for device-model lookup: "15.1R7" < "15.1R10" < "16.1R1", "6.5.3" < "7.3.2",
// "4.28.3M" (EOS). Versions are split into digit runs and letter runs; digit runs compare
// numerically, letter runs case-insensitively, a digit run sorts before a letter run, and a
// version that is a proper prefix of another sorts first ("12.3" < "12.3R2").
import type { VersionRange } from '../device-model.js';

type Token = number | string;

const tokenCache = new Map<string, readonly Token[]>();

function tokenizeVersion(version: string): readonly Token[] {
  const cached = tokenCache.get(version);
  if (cached) return cached;
  const tokens: Token[] = [];
  for (const m of version.matchAll(/\d+|[A-Za-z]+/g)) {
    const t = m[0];
    tokens.push(/^\d/.test(t) ? Number(t) : t.toLowerCase());
  }
  if (tokenCache.size > 10_000) tokenCache.clear();
  tokenCache.set(version, tokens);
  return tokens;
}

function compareTokens(a: Token, b: Token): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Negative when a < b, 0 when equal (token-wise), positive when a > b. */
export function compareVersions(a: string, b: string): number {
  const ta = tokenizeVersion(a);
  const tb = tokenizeVersion(b);
  const n = Math.min(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const c = compareTokens(ta[i]!, tb[i]!);
    if (c !== 0) return Math.sign(c);
  }
  return Math.sign(ta.length - tb.length);
}

/** True when every token of `prefix` equals the leading tokens of `version` ("12.3R2" covers "12.3R2.5"). */
function isVersionPrefix(prefix: string, version: string): boolean {
  const tp = tokenizeVersion(prefix);
  const tv = tokenizeVersion(version);
  if (tp.length > tv.length) return false;
  for (let i = 0; i < tp.length; i++) if (compareTokens(tp[i]!, tv[i]!) !== 0) return false;
  return true;
}

/**
 * Inclusive range test. An upper bound also covers every build of itself: max "12.3R2"
 * includes "12.3R2.5", and max "6.2" includes "6.2.3".
 */
export function versionInRange(version: string, range: VersionRange): boolean {
  if (range.min !== undefined && compareVersions(version, range.min) < 0) return false;
  if (range.max !== undefined && compareVersions(version, range.max) > 0 && !isVersionPrefix(range.max, version)) return false;
  return true;
}

/** Human text for a range: "10.0 to 12.3R2", "6.3.0 and later", "any version". */
export function formatVersionRange(range: VersionRange): string {
  if (range.min !== undefined && range.max !== undefined) return `${range.min} to ${range.max}`;
  if (range.min !== undefined) return `${range.min} and later`;
  if (range.max !== undefined) return `up to ${range.max}`;
  return 'any version';
}
