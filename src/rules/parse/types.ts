// Shared types of the rule file parsers.
import type { Finding, MitigationRule, RuleScope } from '../model.js';

export type RuleFileFormat = 'native' | 'junos' | 'exabgp';

export interface RuleParseOptions {
  /** Current time, to turn a native `ttl` into an expiry. Without it a ttl is a finding. */
  readonly nowMs?: number;
  /** Scope given to imported Junos/ExaBGP rules, which carry none (default: global). */
  readonly scope?: RuleScope;
}

export interface RuleParseResult {
  /** Rules that parsed without an error finding, in file order. */
  readonly rules: MitigationRule[];
  /** Every problem found, errors and warnings, with line/column where known. */
  readonly findings: Finding[];
}
