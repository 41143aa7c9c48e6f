// Building findings: every finding names its rule and component, and says what was expected
// and what was found.
import type { Finding } from '../model.js';
import { RULES_VALIDATE_CODES, type ValidateCode } from './codes.js';

export interface FindingInput {
  readonly rule?: string;
  readonly component?: string;
  readonly message: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
  readonly devices?: readonly string[];
}

export function makeFinding(code: ValidateCode, severity: Finding['severity'], input: FindingInput): Finding {
  // Touch the registry so a code missing from it is a compile error, not a silent typo.
  void RULES_VALIDATE_CODES[code];
  const f: { -readonly [K in keyof Finding]: Finding[K] } = { code, severity, message: input.message };
  if (input.rule !== undefined) f.rule = input.rule;
  if (input.component !== undefined) f.component = input.component;
  if (input.expected !== undefined) f.expected = input.expected;
  if (input.actual !== undefined) f.actual = input.actual;
  if (input.devices !== undefined) f.devices = input.devices;
  return f;
}

/** "r1, r2 and 3 more" for messages; the full list goes in Finding.devices. */
export function formatList(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
