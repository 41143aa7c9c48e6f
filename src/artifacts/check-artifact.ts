// One entry point for every change that travels validate -> canary -> waves: Flowspec rules
// go to the rule validator, WAF regex rules to the regex checks, generated data files to the
// data-file checks. Every finding comes back as data; the change ships only without errors.
import type { Artifact } from '../fleet/enforcement.js';
import type { Finding } from '../rules/model.js';
import { type ValidationContext, validateRules } from '../rules/validate/index.js';
import { type RegexCheckOptions, checkWafRegex, sampleRequestCorpus } from '../waf/index.js';
import { DEFAULT_DATA_FILE_LIMITS, type DataFileLimits, checkDataFile } from './check-data-file.js';

export interface ArtifactCheckContext {
  /** For Flowspec rules: network, device models, installed rules, approvals, time. */
  readonly validation: ValidationContext;
  /** For WAF rules: the sample requests cost is measured on (default: sampleRequestCorpus()). */
  readonly wafCorpus?: readonly string[];
  readonly wafOptions?: Omit<RegexCheckOptions, 'ruleId'>;
  /** For data files: the version shipped now (growth is measured against it) and the consumer's limits. */
  readonly previousDataFile?: string;
  readonly dataFileLimits?: DataFileLimits;
}

export function checkArtifact(artifact: Artifact, ctx: ArtifactCheckContext): Finding[] {
  switch (artifact.kind) {
    case 'flowspec':
      return validateRules(artifact.add, ctx.validation);
    case 'waf-regex': {
      const corpus = ctx.wafCorpus ?? sampleRequestCorpus();
      const findings: Finding[] = [];
      const seen = new Set<string>();
      for (const r of artifact.rules) {
        if (seen.has(r.id)) findings.push({ code: 'waf_rule_duplicate_id', severity: 'error', rule: r.id, message: `WAF rule id "${r.id}" appears more than once in the change` });
        seen.add(r.id);
        findings.push(...checkWafRegex(r.pattern, corpus, { ...ctx.wafOptions, ruleId: r.id }).findings);
      }
      return findings;
    }
    case 'data-file':
      return checkDataFile(artifact.content, ctx.previousDataFile, ctx.dataFileLimits ?? DEFAULT_DATA_FILE_LIMITS).map((f) => ({ ...f, rule: `${artifact.name}@${artifact.version}` }));
  }
}

/** True when no finding is an error (warnings do not hold a change). */
export function passesChecks(findings: readonly Finding[]): boolean {
  return findings.every((f) => f.severity !== 'error');
}
