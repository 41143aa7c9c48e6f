// Junos flow route importer. Reads
//   routing-options { flow { route NAME { match { ... } then { ... } } } }
//   routing-options { rib inet6.0 { flow { route NAME { ... } } } }      (IPv6)
// bare `route NAME { ... }` blocks (as published in incident write-ups), and
//   set routing-options flow route NAME match destination 198.51.100.0/24
// lines. In Junos `[ 99971 99985 ]` is a LIST (two values, OR); `99971-99985` is a range.
// Numeric lists and tcp-flags/fragment lists are OR'ed. Rates are bits per second (k/m/g).
import type { BitmaskMatch, Finding, MitigationRule, NumericRange, RuleAction, RuleFamily, RuleMatch } from '../model.js';
import { FRAGMENT_FIELD, TCP_FLAGS_FIELD, parseBitmaskExpressions } from './bitmask.js';
import { type Statement, type Word, parseBraceConfig, statementValues } from './brace-config.js';
import { type NumericMatchKey, numericField, parseNumericList, parseNumericScalar } from './numeric.js';
import { type ParsedRulePrefix, inferFamily, parseBitsPerSecond, parseRedirectTarget, parseRulePrefix } from './rule-parts.js';
import { suggestClosest } from './suggest.js';
import type { RuleParseOptions, RuleParseResult } from './types.js';

interface RouteSpec {
  readonly name: string;
  readonly at: Word;
  readonly familyHint?: RuleFamily;
  readonly match: Statement[];
  readonly then: Statement[];
  readonly other: Statement[];
}

const NUMERIC_STATEMENTS: Readonly<Record<string, NumericMatchKey>> = {
  protocol: 'protocols',
  'next-header': 'protocols',
  port: 'ports',
  'destination-port': 'destinationPorts',
  'source-port': 'sourcePorts',
  'icmp-type': 'icmpTypes',
  'icmp-code': 'icmpCodes',
  'icmp6-type': 'icmpTypes',
  'icmp6-code': 'icmpCodes',
  'packet-length': 'packetLengths',
  dscp: 'dscp',
  'flow-label': 'flowLabel',
};

const MATCH_KEYWORDS = ['destination', 'source', 'tcp-flags', 'fragment', ...Object.keys(NUMERIC_STATEMENTS)];
const THEN_KEYWORDS = ['accept', 'discard', 'rate-limit', 'community', 'routing-instance', 'redirect', 'mark', 'sample', 'next-term'];

function finding(code: string, at: { line: number; column: number } | undefined, message: string, extra: Partial<Finding> = {}): Finding {
  return { code, severity: 'error', message, ...extra, ...(at ? { line: at.line, column: at.column } : {}) };
}

function isSetFormat(text: string): boolean {
  return text.split('\n').some((l) => /^\s*set\s+\S/.test(l)) && !/[{}]/.test(text.replace(/#.*$/gm, ''));
}

/** Collect route specs from a brace tree: `route NAME {}` under `flow`, or bare at top level. */
function collectBraceRoutes(statements: readonly Statement[], findings: Finding[]): RouteSpec[] {
  const routes: RouteSpec[] = [];
  const walk = (list: readonly Statement[], inFlow: boolean, ipv6: boolean, depth: number): void => {
    for (const s of list) {
      const words = s.words.map((w) => w.text);
      if (words[0] === 'inactive:' || words[0] === 'deactivate') {
        if (words.includes('route')) findings.push(finding('rule_statement_ignored', s, `inactive route "${words[2] ?? ''}" was skipped`, { severity: 'warning' }));
        continue;
      }
      const offset = words[0] === 'replace:' || words[0] === 'protect:' ? 1 : 0;
      const key = words[offset];
      if (key === 'route' && s.block && (inFlow || depth === 0)) {
        const nameWord = s.words[offset + 1];
        if (!nameWord) {
          findings.push(finding('rule_file_syntax', s, 'route block without a name: expected "route NAME { ... }"'));
          continue;
        }
        routes.push(splitRouteBlock(nameWord, s.block, ipv6 ? 'ipv6' : undefined));
        continue;
      }
      if (s.block) {
        const isV6Rib = key === 'rib' && /inet6\.\d+$/.test(words[offset + 1] ?? '');
        walk(s.block, inFlow || key === 'flow', ipv6 || isV6Rib, depth + 1);
      }
    }
  };
  walk(statements, false, false, 0);
  return routes;
}

function splitRouteBlock(name: Word, block: readonly Statement[], familyHint: RuleFamily | undefined): RouteSpec {
  const match: Statement[] = [];
  const then: Statement[] = [];
  const other: Statement[] = [];
  for (const s of block) {
    const k = s.words[0]?.text;
    if (k === 'match' && s.block) match.push(...s.block);
    else if (k === 'then' && s.block) then.push(...s.block);
    else if (k === 'then' && s.words.length > 1) then.push({ words: s.words.slice(1), line: s.words[1]!.line, column: s.words[1]!.column });
    else other.push(s);
  }
  return { name: name.text, at: name, ...(familyHint ? { familyHint } : {}), match, then, other };
}

/** `set ... flow route NAME match|then STATEMENT` lines, merged per route name. */
function collectSetRoutes(text: string, findings: Finding[]): RouteSpec[] {
  const byName = new Map<string, { name: string; at: Word; familyHint?: RuleFamily; match: Statement[]; then: Statement[]; other: Statement[] }>();
  const lines = text.split('\n');
  lines.forEach((raw, idx) => {
    const lineText = raw.replace(/#.*$/, '');
    if (!/^\s*set\s/.test(lineText)) return;
    const parsed = parseBraceConfig(`${lineText};`);
    const fixLine = (w: Word): Word => ({ ...w, line: idx + 1, ...(w.items ? { items: w.items.map(fixLine) } : {}) });
    if (parsed.findings.length > 0) {
      for (const f of parsed.findings) findings.push({ ...f, line: idx + 1 });
      return;
    }
    const words = (parsed.statements[0]?.words ?? []).map(fixLine);
    const texts = words.map((w) => w.text);
    const r = texts.findIndex((t, i) => t === 'route' && texts[i - 1] === 'flow');
    if (r < 0) return;
    const nameWord = words[r + 1];
    if (!nameWord) {
      findings.push(finding('rule_file_syntax', words[r], 'expected a route name after "flow route"'));
      return;
    }
    const ipv6 = texts.slice(0, r).some((t) => /inet6\.\d+$/.test(t));
    let spec = byName.get(nameWord.text);
    if (!spec) {
      spec = { name: nameWord.text, at: nameWord, ...(ipv6 ? { familyHint: 'ipv6' as const } : {}), match: [], then: [], other: [] };
      byName.set(nameWord.text, spec);
    }
    const section = words[r + 2];
    const rest = words.slice(r + 3);
    if (!section) return;
    const stmt = (ws: Word[]): Statement => ({ words: ws, line: ws[0]?.line ?? idx + 1, column: ws[0]?.column ?? 1 });
    if (section.text === 'match' && rest.length > 0) spec.match.push(stmt(rest));
    else if (section.text === 'then' && rest.length > 0) spec.then.push(stmt(rest));
    else spec.other.push(stmt(words.slice(r + 2)));
  });
  return [...byName.values()];
}

function routeToRule(spec: RouteSpec, opts: RuleParseOptions, findings: Finding[]): MitigationRule | undefined {
  const rule = spec.name;
  const start = findings.filter((f) => f.severity === 'error').length;
  const err = (code: string, at: { line: number; column: number } | undefined, component: string, message: string, extra: Partial<Finding> = {}): void => {
    findings.push(finding(code, at, message, { rule, component, ...extra }));
  };

  let destination: ParsedRulePrefix | undefined;
  let source: ParsedRulePrefix | undefined;
  let destinationOffset: number | undefined;
  let sourceOffset: number | undefined;
  const numericStatements: Statement[] = [];
  const bitmaskStatements: Statement[] = [];

  for (const s of spec.match) {
    const kw = s.words[0]!.text;
    if (kw === 'destination' || kw === 'source') {
      // `destination 198.51.100.0/24;` or `destination 2001:db8::/64 { prefix-offset 8; }` or `destination { 2001:db8::/64; prefix-offset 8; }`
      let prefixWord = s.words[1];
      let offset: number | undefined;
      if (s.words[2]?.text === 'prefix-offset') {
        const v = s.words[3] ? parseNumericScalar(s.words[3].text, { key: 'ports', label: 'prefix-offset', fieldMax: 128 }) : undefined;
        if (!v?.ok) err('rule_numeric_invalid', s.words[3] ?? s.words[2], `match.${kw}`, `prefix-offset: expected an integer bit offset, found "${s.words[3]?.text ?? ''}"`);
        else offset = v.value;
      }
      for (const inner of s.block ?? []) {
        if (inner.words[0]?.text === 'prefix-offset') {
          const v = inner.words[1] ? parseNumericScalar(inner.words[1].text, { key: 'ports', label: 'prefix-offset', fieldMax: 128 }) : undefined;
          if (!v?.ok) err('rule_numeric_invalid', inner, `match.${kw}`, `prefix-offset: expected an integer bit offset, found "${inner.words[1]?.text ?? ''}"`);
          else offset = v.value;
        } else if (!prefixWord && inner.words[0]) {
          prefixWord = inner.words[0];
        }
      }
      if (!prefixWord) {
        err('rule_field_missing', s, `match.${kw}`, `${kw}: expected a prefix like 198.51.100.0/24, found nothing`);
        continue;
      }
      const p = parseRulePrefix(prefixWord.text, kw);
      if (!p.ok) {
        err(p.code, prefixWord, `match.${kw}`, p.message, { actual: prefixWord.text });
        continue;
      }
      if (kw === 'destination') {
        destination = p.value;
        destinationOffset = offset;
      } else {
        source = p.value;
        sourceOffset = offset;
      }
    } else if (kw === 'tcp-flags' || kw === 'fragment') {
      bitmaskStatements.push(s);
    } else if (NUMERIC_STATEMENTS[kw]) {
      numericStatements.push(s);
    } else {
      const hint = suggestClosest(kw, MATCH_KEYWORDS);
      err('rule_field_unknown', s, `match.${kw}`, `unknown match condition "${kw}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of: ${MATCH_KEYWORDS.join(', ')}`, { actual: kw });
    }
  }

  const hasV6Only = spec.match.some((s) => ['flow-label', 'icmp6-type', 'icmp6-code'].includes(s.words[0]!.text)) || destinationOffset !== undefined || sourceOffset !== undefined;
  const family: RuleFamily = spec.familyHint ?? inferFamily([destination, source], hasV6Only);
  for (const [kw, p] of [['destination', destination], ['source', source]] as const) {
    if (p && p.family !== family) err('rule_family_mismatch', spec.at, `match.${kw}`, `${kw} ${p.cidr} is ${p.family} but the route is in the ${family} flow table`, { expected: family, actual: p.family });
  }

  const match: { -readonly [K in keyof RuleMatch]: RuleMatch[K] } = {};
  if (destination) match.destination = destination.cidr;
  if (destinationOffset !== undefined) match.destinationOffset = destinationOffset;
  if (source) match.source = source.cidr;
  if (sourceOffset !== undefined) match.sourceOffset = sourceOffset;

  for (const s of numericStatements) {
    const kw = s.words[0]!.text;
    const key = NUMERIC_STATEMENTS[kw]!;
    if (family === 'ipv4' && (key === 'flowLabel' || kw.startsWith('icmp6'))) {
      err('rule_family_mismatch', s, `match.${kw}`, `${kw} exists only for IPv6 flow routes but this route is IPv4`, { expected: 'ipv6', actual: family });
      continue;
    }
    const values = statementValues(s).map((w) => w.text);
    if (values.length === 0) {
      err('rule_field_missing', s, `match.${kw}`, `${kw}: expected a value, found nothing`);
      continue;
    }
    const r = parseNumericList(values, numericField(key, family));
    if (!r.ok) {
      err(r.code, s.words[1] ?? s, `match.${kw}`, r.message, { actual: values.join(' ') });
      continue;
    }
    const prev = match[key] as readonly NumericRange[] | undefined;
    if (prev) err('rule_field_invalid', s, `match.${kw}`, `${kw} is given twice (also as a synonym); give it once`);
    else match[key] = r.ranges;
  }
  for (const s of bitmaskStatements) {
    const kw = s.words[0]!.text as 'tcp-flags' | 'fragment';
    const values = statementValues(s).map((w) => w.text);
    const r = parseBitmaskExpressions(values, kw === 'tcp-flags' ? TCP_FLAGS_FIELD : FRAGMENT_FIELD);
    if (!r.ok) {
      err(r.code, s.words[1] ?? s, `match.${kw}`, r.message, { actual: values.join(' ') });
      continue;
    }
    const m: BitmaskMatch = r.match;
    if (kw === 'tcp-flags') match.tcpFlags = m;
    else match.fragment = m;
  }

  let action: RuleAction | undefined;
  let actionAt: Statement | undefined;
  let sample: boolean | undefined;
  let terminal: boolean | undefined;
  const setAction = (a: RuleAction, s: Statement): void => {
    if (action) {
      err('rule_action_conflict', s, 'then', `route has two primary actions: "${actionAt!.words.map((w) => w.text).join(' ')}" and "${s.words.map((w) => w.text).join(' ')}"; a flow route carries one`, { actual: [action.kind, a.kind] });
      return;
    }
    action = a;
    actionAt = s;
  };
  for (const s of spec.then) {
    const kw = s.words[0]!.text;
    const arg = s.words[1]?.text;
    switch (kw) {
      case 'accept':
      case 'discard':
        setAction({ kind: kw }, s);
        break;
      case 'rate-limit': {
        const r = arg ? parseBitsPerSecond(arg) : undefined;
        if (!r?.ok) err('rule_action_invalid', s.words[1] ?? s, 'then.rate-limit', r?.message ?? 'rate-limit: expected bits per second like 10m, found nothing');
        else setAction({ kind: 'rate-limit-bytes', bytesPerSec: r.value / 8 }, s);
        break;
      }
      case 'routing-instance':
      case 'redirect': {
        const r = arg ? parseRedirectTarget(arg) : undefined;
        if (!r?.ok) err('rule_action_invalid', s.words[1] ?? s, `then.${kw}`, r?.message ?? `${kw}: expected a target, found nothing`);
        else setAction(r.value, s);
        break;
      }
      case 'mark': {
        const r = arg ? parseNumericScalar(arg, numericField('dscp', family)) : undefined;
        if (!r?.ok) err('rule_action_invalid', s.words[1] ?? s, 'then.mark', r?.message ?? 'mark: expected a DSCP value, found nothing');
        else setAction({ kind: 'mark-dscp', dscp: r.value }, s);
        break;
      }
      case 'sample':
        sample = true;
        break;
      case 'next-term':
        terminal = false;
        break;
      case 'community':
        findings.push(finding('rule_statement_ignored', s, `then community ${statementValues(s).map((w) => w.text).join(' ')} was not imported: MitigationRule carries no BGP communities`, { severity: 'warning', rule, component: 'then.community' }));
        break;
      default: {
        const hint = suggestClosest(kw, THEN_KEYWORDS);
        err('rule_field_unknown', s, `then.${kw}`, `unknown action "${kw}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of: ${THEN_KEYWORDS.join(', ')}`, { actual: kw });
      }
    }
  }
  for (const s of spec.other) {
    findings.push(finding('rule_statement_ignored', s, `statement "${s.words.map((w) => w.text).join(' ')}" in route ${rule} has no MitigationRule equivalent and was not imported`, { severity: 'warning', rule }));
  }

  if (findings.filter((f) => f.severity === 'error').length > start) return undefined;
  return {
    id: spec.name,
    family,
    match,
    // Junos: accept is the default action of a flow route.
    action: action ?? { kind: 'accept' },
    ...(sample !== undefined ? { sample } : {}),
    ...(terminal !== undefined ? { terminal } : {}),
    scope: opts.scope ?? { kind: 'global' },
    provenance: { origin: 'junos' },
  };
}

/** Import Junos flow routes (hierarchical, bare `route` blocks, or `set` lines). */
export function parseJunosRules(text: string, opts: RuleParseOptions = {}): RuleParseResult {
  const findings: Finding[] = [];
  let routes: RouteSpec[];
  if (isSetFormat(text)) {
    routes = collectSetRoutes(text, findings);
  } else {
    const parsed = parseBraceConfig(text);
    findings.push(...parsed.findings);
    if (parsed.findings.some((f) => f.severity === 'error')) return { rules: [], findings };
    routes = collectBraceRoutes(parsed.statements, findings);
  }
  if (routes.length === 0) findings.push({ code: 'rule_file_empty', severity: 'warning', message: 'no flow routes found: expected `route NAME { match { ... } then { ... } }` (under routing-options flow) or `set routing-options flow route ...` lines' });
  const rules: MitigationRule[] = [];
  const seen = new Map<string, Word>();
  for (const spec of routes) {
    const first = seen.get(spec.name);
    if (first) {
      findings.push(finding('rule_duplicate_id', spec.at, `flow route "${spec.name}" is defined twice (first at line ${first.line}); names must be unique`, { rule: spec.name }));
      continue;
    }
    seen.set(spec.name, spec.at);
    const rule = routeToRule(spec, opts, findings);
    if (rule) rules.push(rule);
  }
  return { rules, findings };
}
