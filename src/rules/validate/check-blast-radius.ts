// How much a rule can hurt if it is wrong: destination breadth and ownership, scope, expiry,
// and "drop everything to X".
import { formatPrefix, prefixContains } from '../../lib/prefix.js';
import type { Finding, MitigationRule } from '../model.js';
import type { ValidationEnv } from './context.js';
import { formatList, makeFinding } from './finding.js';
import type { RuleFacts } from './rule-facts.js';

/** Broadest destination accepted without approval, and broadest accepted without a warning. */
export const DESTINATION_LIMITS = {
  ipv4: { errorBelow: 16, warnBelow: 24 },
  ipv6: { errorBelow: 32, warnBelow: 48 },
} as const;

export const MAX_EXPIRY_MS = 7 * 24 * 3600 * 1000;

/** The approver of a rule, if any: the approvals map first, then the rule's own field. Self-approval does not count. */
export function findApprover(rule: MitigationRule, env: ValidationEnv): string | undefined {
  const approver = env.ctx.approvals?.get(rule.id) ?? rule.approvedBy;
  if (typeof approver !== 'string' || approver.trim() === '') return undefined;
  if (rule.provenance?.author !== undefined && approver === rule.provenance.author) return undefined;
  return approver;
}

export function checkBlastRadius(facts: RuleFacts, env: ValidationEnv, out: Finding[]): void {
  checkDestination(facts, env, out);
  checkScope(facts, env, out);
  checkExpiry(facts.rule, env, out);
  checkMatchesAll(facts.rule, out);
}

function checkDestination(facts: RuleFacts, env: ValidationEnv, out: Finding[]): void {
  const rule = facts.rule;
  const component = 'match.destination';
  if (rule.match.destination === undefined) {
    out.push(makeFinding('validate_destination_missing', 'error', { rule: rule.id, component, message: 'the rule has no destination prefix: it would filter traffic to every address', expected: 'a destination prefix inside owned space', actual: undefined }));
    return;
  }
  const fact = facts.destination;
  if (!fact?.ok) return; // reported as validate_prefix_invalid
  const p = fact.prefix;
  const fam = p.family === 4 ? 'ipv4' : 'ipv6';
  const limits = DESTINATION_LIMITS[fam];
  const approver = findApprover(rule, env);
  const text = formatPrefix(p);
  if (p.length < limits.errorBelow && approver === undefined) {
    out.push(
      makeFinding('validate_destination_too_broad', 'error', {
        rule: rule.id,
        component,
        message: `destination ${text} covers ${(2 ** ((fam === 'ipv4' ? 32 : 128) - p.length)).toExponential(2)} addresses: prefixes shorter than /${limits.errorBelow} need an approver other than the author`,
        expected: `/${limits.errorBelow} or longer, or an approval`,
        actual: `/${p.length}`,
      }),
    );
  } else if (p.length < limits.warnBelow) {
    out.push(
      makeFinding('validate_destination_broad', 'warning', {
        rule: rule.id,
        component,
        message: `destination ${text} is broad (/${p.length}; /${limits.warnBelow} or longer is the usual victim size)${approver !== undefined ? `; approved by ${approver}` : ''}`,
        expected: `/${limits.warnBelow} or longer`,
        actual: `/${p.length}`,
      }),
    );
  }
  if (!env.network) return;
  const offset = rule.match.destinationOffset ?? 0;
  const owned = offset === 0 && env.ownedPrefixes.some((o) => prefixContains(o, p));
  if (!owned) {
    const ownedText = env.network.ownedPrefixes.length > 0 ? formatList(env.network.ownedPrefixes) : 'none';
    out.push(
      makeFinding('validate_destination_not_owned', 'error', {
        rule: rule.id,
        component,
        message: `destination ${text}${offset ? ` with offset ${offset}` : ''} is not inside the network's owned prefixes (${ownedText}): filter only your own destinations (RFC 8955 §6)`,
        expected: env.network.ownedPrefixes,
        actual: text,
      }),
    );
  }
}

function checkScope(facts: RuleFacts, env: ValidationEnv, out: Finding[]): void {
  const rule = facts.rule;
  const scope = rule.scope;
  if (scope.kind === 'global') {
    if (findApprover(rule, env) === undefined) {
      const pops = env.network ? ` (all ${env.network.pops.length} PoPs)` : '';
      out.push(makeFinding('validate_scope_global_unapproved', 'error', { rule: rule.id, component: 'scope', message: `global scope${pops} needs an approver other than the author; none was given`, expected: 'an approver, or a pops/regions scope', actual: 'global' }));
    }
    return;
  }
  const list: readonly string[] | undefined = scope.kind === 'pops' ? scope.pops : scope.kind === 'regions' ? scope.regions : undefined;
  if (!Array.isArray(list) || list.length === 0) {
    out.push(makeFinding('validate_scope_empty', 'error', { rule: rule.id, component: 'scope', message: `scope lists no ${scope.kind === 'regions' ? 'regions' : 'PoPs'}: the rule would be installed nowhere`, expected: 'at least one PoP or region', actual: [] }));
    return;
  }
  if (!env.network) return;
  if (facts.scope.unknownPops.length > 0) {
    out.push(
      makeFinding('validate_scope_unknown', 'error', {
        rule: rule.id,
        component: 'scope.pops',
        message: `scope names PoP${facts.scope.unknownPops.length > 1 ? 's' : ''} ${formatList(facts.scope.unknownPops)} that the network ${env.network.name} does not have (it has ${formatList(env.network.pops.map((p) => p.id))})`,
        expected: env.network.pops.map((p) => p.id),
        actual: facts.scope.unknownPops,
      }),
    );
  }
  if (facts.scope.unknownRegions.length > 0) {
    const regions = [...new Set(env.network.pops.map((p) => p.region))];
    out.push(
      makeFinding('validate_scope_unknown', 'error', {
        rule: rule.id,
        component: 'scope.regions',
        message: `scope names region${facts.scope.unknownRegions.length > 1 ? 's' : ''} ${formatList(facts.scope.unknownRegions)} that the network ${env.network.name} does not have (it has ${formatList(regions)})`,
        expected: regions,
        actual: facts.scope.unknownRegions,
      }),
    );
  }
}

/** ISO text for an epoch-ms instant; Date cannot represent every number (|ms| > 8.64e15). */
function formatInstant(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? `${ms} ms since the epoch` : d.toISOString();
}

function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs >= 86_400_000) return `${(abs / 86_400_000).toFixed(1)} days`;
  if (abs >= 3_600_000) return `${(abs / 3_600_000).toFixed(1)} hours`;
  return `${Math.round(abs / 60_000)} minutes`;
}

function checkExpiry(rule: MitigationRule, env: ValidationEnv, out: Finding[]): void {
  const component = 'expiresAt';
  const now = env.ctx.nowMs;
  if (rule.expiresAt === undefined) {
    out.push(makeFinding('validate_expiry_missing', 'warning', { rule: rule.id, component, message: 'the rule has no expiry: it stays installed until someone withdraws it', expected: `an expiry within ${MAX_EXPIRY_MS / 86_400_000} days`, actual: undefined }));
    return;
  }
  // ISO-8601 instant: a date with time and zone (Date.parse alone accepts "2024" or local times).
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
  const at = typeof rule.expiresAt === 'string' && iso.test(rule.expiresAt) ? Date.parse(rule.expiresAt) : Number.NaN;
  if (!Number.isFinite(at)) {
    out.push(makeFinding('validate_expiry_invalid', 'error', { rule: rule.id, component, message: `expiresAt "${rule.expiresAt}" is not an ISO-8601 instant with a zone`, expected: 'e.g. 2025-06-01T12:00:00Z', actual: rule.expiresAt }));
    return;
  }
  if (!Number.isFinite(now)) return;
  if (at <= now) {
    out.push(makeFinding('validate_expiry_past', 'error', { rule: rule.id, component, message: `expiresAt ${rule.expiresAt} is ${formatDuration(now - at)} in the past (now ${formatInstant(now)})`, expected: `after ${formatInstant(now)}`, actual: rule.expiresAt }));
  } else if (at - now > MAX_EXPIRY_MS) {
    out.push(
      makeFinding('validate_expiry_too_far', 'warning', {
        rule: rule.id,
        component,
        message: `expiresAt ${rule.expiresAt} is ${formatDuration(at - now)} away; mitigation rules should expire within 7 days and be renewed if the attack goes on`,
        expected: `before ${formatInstant(now + MAX_EXPIRY_MS)}`,
        actual: rule.expiresAt,
      }),
    );
  }
}

function checkMatchesAll(rule: MitigationRule, out: Finding[]): void {
  const a = rule.action;
  const drops = a.kind === 'discard' || (a.kind === 'rate-limit-bytes' && a.bytesPerSec === 0) || (a.kind === 'rate-limit-packets' && a.packetsPerSec === 0);
  if (!drops || rule.match.destination === undefined) return;
  const others = (Object.keys(rule.match) as Array<keyof typeof rule.match>).filter((k) => k !== 'destination' && k !== 'destinationOffset' && rule.match[k] !== undefined);
  if (others.length > 0) return;
  out.push(
    makeFinding('validate_matches_all_traffic', 'warning', {
      rule: rule.id,
      component: 'match',
      message: `the rule ${a.kind === 'discard' ? 'discards' : 'rate-limits to 0'} all traffic to ${rule.match.destination}: no protocol, port, length or other component narrows it (a null route, not a filter)`,
      expected: 'at least one component besides the destination',
      actual: ['destination'],
    }),
  );
}
