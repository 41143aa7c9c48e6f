// Pieces shared by the three rule importers: prefixes, family inference, redirect targets,
// durations and rate units. Pure; every problem is returned as a message for a Finding.
import { formatPrefix, parseAddress, parsePrefix } from '../../lib/prefix.js';
import type { RuleAction, RuleFamily } from '../model.js';

export type PartResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: string; readonly message: string };

export interface ParsedRulePrefix {
  /** Canonical CIDR text (an address alone becomes a host prefix). */
  readonly cidr: string;
  readonly family: RuleFamily;
}

/** Parse a match prefix: "198.51.100.7", "198.51.100.0/24", "2001:db8::/32". */
export function parseRulePrefix(text: string, label: string): PartResult<ParsedRulePrefix> {
  const r = parsePrefix(text);
  if (!r.ok) return { ok: false, code: r.error.code, message: `${label}: expected an IPv4/IPv6 prefix like 198.51.100.0/24, found "${text}": ${r.error.message}` };
  return { ok: true, value: { cidr: formatPrefix(r.value), family: r.value.family === 4 ? 'ipv4' : 'ipv6' } };
}

/** Family from the first prefix present, else IPv6 when only IPv6 things are used, else IPv4. */
export function inferFamily(prefixes: ReadonlyArray<ParsedRulePrefix | undefined>, ipv6Only: boolean): RuleFamily {
  for (const p of prefixes) if (p) return p.family;
  return ipv6Only ? 'ipv6' : 'ipv4';
}

const U32 = 0xffffffff;
const U16 = 0xffff;

/**
 * A redirect target (RFC 8955 §7.4 rt-redirect, RFC 7674): "ASN:NN" (2-byte AS with 4-byte
 * value, or 4-byte AS with 2-byte value), "IPv4:NN" (2-byte value), or an address alone
 * (redirect-to-IP). Junos writes route targets as "target:ASN:NN".
 */
export function parseRedirectTarget(text: string): PartResult<Extract<RuleAction, { kind: 'redirect' }>> {
  // Junos: "target:ASN:NN", 4-byte AS with an L suffix ("target:4200000001L:66").
  const t = text.trim().replace(/^target:/i, '').replace(/^(\d+)L:/i, '$1:');
  const asn = /^(\d+):(\d+)$/.exec(t);
  if (asn) {
    const a = Number(asn[1]);
    const v = Number(asn[2]);
    if (a > U32 || v > U32) return bad(text, 'ASN and value must fit in 32 bits');
    if (a > U16 && v > U16) return bad(text, 'with a 4-byte ASN the value must fit in 16 bits (RFC 7674)');
    return { ok: true, value: { kind: 'redirect', target: `${a}:${v}` } };
  }
  const ipv4 = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(t);
  if (ipv4) {
    if (!parseAddress(ipv4[1]!)) return bad(text, `"${ipv4[1]}" is not an IPv4 address`);
    if (Number(ipv4[2]) > U16) return bad(text, 'with an IPv4 address the value must fit in 16 bits');
    return { ok: true, value: { kind: 'redirect', target: `${ipv4[1]}:${Number(ipv4[2])}` } };
  }
  if (parseAddress(t)) return { ok: true, value: { kind: 'redirect', target: t.toLowerCase() } };
  return bad(text, 'expected "ASN:NN", "IPv4:NN" or an IP address');
}

function bad<T>(text: string, why: string): PartResult<T> {
  return { ok: false, code: 'rule_action_invalid', message: `redirect target "${text}": ${why}` };
}

/** Redirect target kinds, for renderers. */
export type RedirectTargetKind = { kind: 'as2'; asn: number; value: number } | { kind: 'as4'; asn: number; value: number } | { kind: 'ipv4'; address: string; value: number } | { kind: 'ip'; address: string };

export function classifyRedirectTarget(target: string): RedirectTargetKind | undefined {
  const asn = /^(\d+):(\d+)$/.exec(target);
  if (asn) {
    const a = Number(asn[1]);
    const v = Number(asn[2]);
    return a > U16 ? { kind: 'as4', asn: a, value: v } : { kind: 'as2', asn: a, value: v };
  }
  const ipv4 = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(target);
  if (ipv4) return { kind: 'ipv4', address: ipv4[1]!, value: Number(ipv4[2]) };
  if (parseAddress(target)) return { kind: 'ip', address: target };
  return undefined;
}

const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "90s", "30m", "2h", "1d", "1h30m", "1w"; a bare number is seconds. */
export function parseDurationMs(value: string | number): PartResult<number> {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return { ok: false, code: 'rule_expiry_invalid', message: `ttl: expected a positive duration like "2h", found ${value}` };
    return { ok: true, value: value * 1000 };
  }
  const t = value.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return parseDurationMs(Number(t));
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(t)) {
    return { ok: false, code: 'rule_expiry_invalid', message: `ttl: expected a duration like "90s", "30m", "2h", "1d" or "1h30m", found "${value}"` };
  }
  let ms = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) ms += Number(m[1]) * DURATION_UNIT_MS[m[2]!]!;
  if (ms <= 0) return { ok: false, code: 'rule_expiry_invalid', message: `ttl: expected a positive duration, found "${value}"` };
  return { ok: true, value: ms };
}

/** An ISO-8601 instant with a zone ("Z" or "+hh:mm"), normalised to UTC ISO text. */
export function parseInstant(value: string | Date): PartResult<string> {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return { ok: false, code: 'rule_expiry_invalid', message: 'expires: not a valid date' };
    return { ok: true, value: value.toISOString() };
  }
  const t = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(t)) {
    return { ok: false, code: 'rule_expiry_invalid', message: `expires: expected an ISO-8601 instant with a zone like 2026-12-01T00:00:00Z, found "${value}"` };
  }
  const ms = Date.parse(t.replace(' ', 'T'));
  if (Number.isNaN(ms)) return { ok: false, code: 'rule_expiry_invalid', message: `expires: "${value}" is not a real date` };
  return { ok: true, value: new Date(ms).toISOString() };
}

/** Bits per second with an optional k/m/g suffix (Junos rate-limit): "1m" = 1,000,000. */
export function parseBitsPerSecond(text: string): PartResult<number> {
  const m = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(text.trim());
  if (!m) return { ok: false, code: 'rule_action_invalid', message: `rate-limit: expected bits per second like 1000000 or 10m, found "${text}"` };
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return { ok: true, value: Number(m[1]) * mult };
}
