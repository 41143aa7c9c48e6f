// The rule validator: every finding for a batch of rules, as data. Checks run in a fixed order
// (match values and physics, blast radius, devices, overlap) and none stops the others.
import type { Finding, MitigationRule } from '../model.js';
import { checkBlastRadius } from './check-blast-radius.js';
import { checkDevices } from './check-devices.js';
import { checkMatch } from './check-match.js';
import { checkOverlaps } from './check-overlap.js';
import { type ValidationContext, buildValidationEnv } from './context.js';
import { computeRuleFacts } from './rule-facts.js';

export function validateRules(rules: readonly MitigationRule[], ctx: ValidationContext): Finding[] {
  const env = buildValidationEnv(ctx);
  const findings: Finding[] = [];
  const batch = rules.map((rule, i) => computeRuleFacts(rule, i, env));
  for (const facts of batch) {
    checkMatch(facts, env, findings);
    checkBlastRadius(facts, env, findings);
  }
  const installed = (ctx.installed ?? []).map((rule, i) => computeRuleFacts(rule, i, env));
  const batchIds = new Set(rules.map((r) => r.id));
  checkDevices(
    batch,
    installed.filter((f) => !batchIds.has(f.rule.id)),
    env,
    findings,
  );
  checkOverlaps(batch, installed, env, findings);
  return findings;
}

/** True when no finding is an error. */
export function isAcceptable(findings: readonly Finding[]): boolean {
  return !findings.some((f) => f.severity === 'error');
}
