// Rule file parsing: native YAML/JSON, Junos and ExaBGP importers, and format detection.
import { parseExabgpRules } from './exabgp.js';
import { parseJunosRules } from './junos.js';
import { parseNativeRules } from './native.js';
import type { RuleFileFormat, RuleParseOptions, RuleParseResult } from './types.js';

export { canonicaliseBitmask, formatBitmaskExpression, FRAGMENT_FIELD, parseBitmaskExpressions, TCP_FLAGS_FIELD } from './bitmask.js';
export { parseExabgpRules } from './exabgp.js';
export { parseJunosRules } from './junos.js';
export { parseNativeRules } from './native.js';
export { formatRangeText, normaliseRanges, numericField, parseNumericExpression, type NumericField, type NumericMatchKey } from './numeric.js';
export { classifyRedirectTarget, parseDurationMs, parseInstant, parseRedirectTarget, type RedirectTargetKind } from './rule-parts.js';
export type { RuleFileFormat, RuleParseOptions, RuleParseResult } from './types.js';

/**
 * Guess the format from the file name, then the content: `routing-options`, `set ... flow route`
 * or a bare `route X { ... then discard; }` is Junos; `neighbor`/`flow {` blocks or
 * ExaBGP operators (`=53`, `>=1000&`) are ExaBGP; anything else is native YAML/JSON.
 */
export function detectRuleFormat(text: string, fileName?: string): RuleFileFormat {
  const name = fileName?.toLowerCase() ?? '';
  if (/\.(ya?ml|json)$/.test(name)) return 'native';
  if (/\.(junos|jun)$/.test(name)) return 'junos';
  if (/\.exabgp$/.test(name) || /exabgp.*\.conf$/.test(name)) return 'exabgp';
  const body = text.replace(/#.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
  if (/^\s*set\s+(\S+\s+)*flow\s+route\s/m.test(body) || /\brouting-options\s*\{/.test(body)) return 'junos';
  if (/^\s*(neighbor|template|process)\s/m.test(body)) return 'exabgp';
  if (/\broute\b[^{]*\{/.test(body)) {
    // ExaBGP writes operators on numeric values (=53, >=1000&<=2000, [ =80 ]); Junos does not.
    if (/\b(port|destination-port|source-port|packet-length|protocol)\s+\[?\s*(=|[<>]=?|!=)/.test(body)) return 'exabgp';
    if (/\b(next-header|traffic-class|redirect-to-nexthop)\b/.test(body)) return 'exabgp';
    return /^\s*flow\s*\{/m.test(body) && !/\bthen\s+\w+\s*;/.test(body) ? 'exabgp' : 'junos';
  }
  return 'native';
}

/** Parse a rule file in the given (or detected) format. */
export function parseRuleFile(text: string, opts: RuleParseOptions & { format?: RuleFileFormat | 'auto'; fileName?: string } = {}): RuleParseResult & { format: RuleFileFormat } {
  const format = opts.format && opts.format !== 'auto' ? opts.format : detectRuleFormat(text, opts.fileName);
  switch (format) {
    case 'native':
      return { format, ...parseNativeRules(text, opts) };
    case 'junos':
      return { format, ...parseJunosRules(text, opts) };
    case 'exabgp':
      return { format, ...parseExabgpRules(text, opts) };
  }
}
