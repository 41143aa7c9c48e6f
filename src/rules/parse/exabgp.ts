// ExaBGP flow route importer. Reads `flow { route NAME { match { ... } then { ... } } }` blocks
// (inside or outside a `neighbor { }`). Value syntax follows ExaBGP's configuration language:
//   numeric:  =53  >1024  >=1000&<=2000  !=80  [ =80 =8080 ]  udp   (items OR'ed, '&' ANDs)
//   bitmask:  =syn (all set)  syn (any set)  !ack (none set)  !=syn+ack (not all set)
//             [ syn rst&fin&!=push ]  (items OR'ed, '&' ANDs);  fragment not-a-fragment
//   prefixes: 198.51.100.0/24, and for IPv6 2001:db8::/64/8 (prefix/length/offset)
//   then:     accept; discard; rate-limit BYTES_PER_SEC; redirect ASN:NN | IP;
//             redirect-to-nexthop-ietf IP; mark DSCP; action sample|terminal|sample-terminal
// ExaBGP's "terminal" keyword sets the traffic-action T bit, which RFC 8955 §7.3 defines as
// "apply subsequent rules too": it means the rule is NOT terminal in the model's sense.
import { parseAddress } from '../../lib/prefix.js';
import type { BitmaskTerm, Finding, MitigationRule, RuleAction, RuleFamily, RuleMatch } from '../model.js';
import { type BitmaskField, FRAGMENT_FIELD, TCP_FLAGS_FIELD, canonicaliseBitmask, parseFlagBits } from './bitmask.js';
import { type Statement, type Word, parseBraceConfig, statementValues } from './brace-config.js';
import { type NumericMatchKey, numericField, parseNumericList, parseNumericScalar } from './numeric.js';
import { type ParsedRulePrefix, inferFamily, parseRedirectTarget, parseRulePrefix } from './rule-parts.js';
import { suggestClosest } from './suggest.js';
import type { RuleParseOptions, RuleParseResult } from './types.js';

const NUMERIC_STATEMENTS: Readonly<Record<string, NumericMatchKey>> = {
  protocol: 'protocols',
  'next-header': 'protocols',
  port: 'ports',
  'destination-port': 'destinationPorts',
  'source-port': 'sourcePorts',
  'icmp-type': 'icmpTypes',
  'icmp-code': 'icmpCodes',
  'packet-length': 'packetLengths',
  dscp: 'dscp',
  'traffic-class': 'dscp',
  'flow-label': 'flowLabel',
};

const PREFIX_STATEMENTS: Readonly<Record<string, 'destination' | 'source'>> = {
  destination: 'destination',
  'destination-ipv4': 'destination',
  'destination-ipv6': 'destination',
  source: 'source',
  'source-ipv4': 'source',
  'source-ipv6': 'source',
};

const V6_ONLY = new Set(['next-header', 'traffic-class', 'flow-label', 'destination-ipv6', 'source-ipv6']);
const MATCH_KEYWORDS = [...Object.keys(PREFIX_STATEMENTS), ...Object.keys(NUMERIC_STATEMENTS), 'tcp-flags', 'fragment'];
const THEN_KEYWORDS = ['accept', 'discard', 'rate-limit', 'redirect', 'redirect-to-nexthop', 'redirect-to-nexthop-ietf', 'mark', 'action', 'community', 'extended-community', 'large-community'];
const IGNORED_THEN = new Set(['community', 'extended-community', 'large-community', 'as-path', 'origin', 'med', 'local-preference', 'interface-set']);

interface RouteSpec {
  readonly id: string;
  readonly at: { line: number; column: number };
  readonly statements: readonly Statement[];
}

function finding(code: string, at: { line: number; column: number } | undefined, message: string, extra: Partial<Finding> = {}): Finding {
  return { code, severity: 'error', message, ...extra, ...(at ? { line: at.line, column: at.column } : {}) };
}

function collectRoutes(statements: readonly Statement[]): RouteSpec[] {
  const routes: RouteSpec[] = [];
  let unnamed = 0;
  const walk = (list: readonly Statement[], inFlow: boolean): void => {
    for (const s of list) {
      const words = s.words.map((w) => w.text);
      const r = words.indexOf('route');
      const isFlowRoute = s.block && r >= 0 && (inFlow || words.slice(0, r).includes('flow'));
      if (isFlowRoute) {
        const nameWord = s.words[r + 1];
        routes.push({ id: nameWord?.text ?? `exabgp-route-${++unnamed}`, at: nameWord ?? s, statements: s.block! });
        continue;
      }
      if (s.block) walk(s.block, inFlow || words[0] === 'flow');
    }
  };
  walk(statements, false);
  return routes;
}

/** "2001:db8::/64/8" -> prefix and offset; "198.51.100.0/24" -> prefix. */
function splitOffset(text: string): { prefix: string; offset?: number } {
  const parts = text.split('/');
  if (parts.length === 3 && /^\d+$/.test(parts[2]!)) return { prefix: `${parts[0]}/${parts[1]}`, offset: Number(parts[2]) };
  return { prefix: text };
}

type BinaryParse = { ok: true; clauses: BitmaskTerm[][] } | { ok: false; code: string; message: string };

/** ExaBGP binary operator items: each item an '&'-chain of [=|!|!=]VALUE; items OR'ed. */
export function parseExabgpBitmask(items: readonly string[], field: BitmaskField): BinaryParse {
  const clauses: BitmaskTerm[][] = [];
  for (const item of items) {
    const terms: BitmaskTerm[] = [];
    for (const piece of item.split('&')) {
      if (piece === '') return { ok: false, code: 'rule_bitmask_invalid', message: `${field.label}: empty term in "${item}" (dangling "&"?)` };
      const op = piece.startsWith('!=') ? '!=' : piece.startsWith('!') ? '!' : piece.startsWith('=') ? '=' : '';
      const value = piece.slice(op.length);
      if (field === FRAGMENT_FIELD && value.toLowerCase() === 'not-a-fragment') {
        // ExaBGP encodes not-a-fragment as bits 0; the intent is "is-fragment clear".
        terms.push({ op: op === '!' || op === '!=' ? 'all' : 'none', bits: 0x02 });
        continue;
      }
      const r = parseFlagBits(value, field);
      if (!r.ok) return r;
      terms.push({ op: op === '=' ? 'all' : op === '!=' ? 'not-all' : op === '!' ? 'none' : 'any', bits: r.bits });
    }
    clauses.push(terms);
  }
  if (clauses.length === 0) return { ok: false, code: 'rule_bitmask_invalid', message: `${field.label}: expected at least one value, found none` };
  return { ok: true, clauses };
}

function routeToRule(spec: RouteSpec, opts: RuleParseOptions, findings: Finding[]): MitigationRule | undefined {
  const rule = spec.id;
  const start = findings.filter((f) => f.severity === 'error').length;
  const err = (code: string, at: { line: number; column: number } | undefined, component: string, message: string, extra: Partial<Finding> = {}): void => {
    findings.push(finding(code, at, message, { rule, component, ...extra }));
  };
  const warn = (at: { line: number; column: number }, component: string, message: string): void => {
    findings.push(finding('rule_statement_ignored', at, message, { severity: 'warning', rule, component }));
  };

  const matchStmts: Statement[] = [];
  const thenStmts: Statement[] = [];
  let nextHop: Word | undefined;
  for (const s of spec.statements) {
    const kw = s.words[0]?.text;
    if (kw === 'match' && s.block) matchStmts.push(...s.block);
    else if (kw === 'then' && s.block) thenStmts.push(...s.block);
    else if (kw === 'next-hop') nextHop = s.words[1];
    else warn(s, kw ?? '', `statement "${s.words.map((w) => w.text).join(' ')}" in route ${rule} has no MitigationRule equivalent and was not imported`);
  }

  let destination: ParsedRulePrefix | undefined;
  let source: ParsedRulePrefix | undefined;
  const match: { -readonly [K in keyof RuleMatch]: RuleMatch[K] } = {};
  const later: Statement[] = [];
  let v6Hint = false;
  for (const s of matchStmts) {
    const kw = s.words[0]!.text;
    if (V6_ONLY.has(kw)) v6Hint = true;
    const which = PREFIX_STATEMENTS[kw];
    if (which) {
      const w = s.words[1];
      if (!w) {
        err('rule_field_missing', s, `match.${kw}`, `${kw}: expected a prefix, found nothing`);
        continue;
      }
      const { prefix, offset } = splitOffset(w.text);
      const p = parseRulePrefix(prefix, kw);
      if (!p.ok) {
        err(p.code, w, `match.${kw}`, p.message, { actual: w.text });
        continue;
      }
      if (which === 'destination') destination = p.value;
      else source = p.value;
      if (offset !== undefined) {
        v6Hint = true;
        // ExaBGP writes "/0" for no offset; keep the model free of a redundant zero.
        if (offset !== 0) match[which === 'destination' ? 'destinationOffset' : 'sourceOffset'] = offset;
      }
      continue;
    }
    later.push(s);
  }
  const family: RuleFamily = inferFamily([destination, source], v6Hint);
  for (const [kw, p] of [['destination', destination], ['source', source]] as const) {
    if (p && p.family !== family) err('rule_family_mismatch', spec.at, `match.${kw}`, `${kw} ${p.cidr} is ${p.family} but the route is ${family}`, { expected: family, actual: p.family });
  }
  if (destination) match.destination = destination.cidr;
  if (source) match.source = source.cidr;

  for (const s of later) {
    const kw = s.words[0]!.text;
    const values = statementValues(s).map((w) => w.text);
    if (values.length === 0) {
      err('rule_field_missing', s, `match.${kw}`, `${kw}: expected a value, found nothing`);
      continue;
    }
    const key = NUMERIC_STATEMENTS[kw];
    if (key) {
      if (family === 'ipv4' && key === 'flowLabel') {
        err('rule_family_mismatch', s, `match.${kw}`, 'flow-label exists only for IPv6 flow routes (RFC 8956 §3.7)', { expected: 'ipv6', actual: family });
        continue;
      }
      const r = parseNumericList(values, numericField(key, family));
      if (!r.ok) err(r.code, s.words[1] ?? s, `match.${kw}`, r.message, { actual: values.join(' ') });
      else if (match[key]) err('rule_field_invalid', s, `match.${kw}`, `${kw} is given twice (also as a synonym); give it once`);
      else match[key] = r.ranges;
      continue;
    }
    if (kw === 'tcp-flags' || kw === 'fragment') {
      const r = parseExabgpBitmask(values, kw === 'tcp-flags' ? TCP_FLAGS_FIELD : FRAGMENT_FIELD);
      if (!r.ok) err(r.code, s.words[1] ?? s, `match.${kw}`, r.message, { actual: values.join(' ') });
      else if (kw === 'tcp-flags') match.tcpFlags = canonicaliseBitmask(r.clauses);
      else match.fragment = canonicaliseBitmask(r.clauses);
      continue;
    }
    const hint = suggestClosest(kw, MATCH_KEYWORDS);
    err('rule_field_unknown', s, `match.${kw}`, `unknown match condition "${kw}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of: ${MATCH_KEYWORDS.join(', ')}`, { actual: kw });
  }

  let action: RuleAction | undefined;
  let actionText = '';
  let sample: boolean | undefined;
  let terminal: boolean | undefined;
  const setAction = (a: RuleAction, s: Statement): void => {
    const text = s.words.map((w) => w.text).join(' ');
    if (action) {
      err('rule_action_conflict', s, 'then', `route has two primary actions: "${actionText}" and "${text}"; a flow route carries one`, { actual: [action.kind, a.kind] });
      return;
    }
    action = a;
    actionText = text;
  };
  for (const s of thenStmts) {
    const kw = s.words[0]!.text;
    const arg = s.words[1]?.text;
    switch (kw) {
      case 'accept':
      case 'discard':
        setAction({ kind: kw }, s);
        break;
      case 'rate-limit': {
        const v = arg !== undefined && /^\d+(\.\d+)?$/.test(arg) ? Number(arg) : undefined;
        if (v === undefined) err('rule_action_invalid', s.words[1] ?? s, 'then.rate-limit', `rate-limit: expected bytes per second (a non-negative number), found ${arg === undefined ? 'nothing' : `"${arg}"`}`);
        else setAction({ kind: 'rate-limit-bytes', bytesPerSec: v }, s);
        break;
      }
      case 'redirect': {
        const r = arg ? parseRedirectTarget(arg) : undefined;
        if (!r?.ok) err('rule_action_invalid', s.words[1] ?? s, 'then.redirect', r?.message ?? 'redirect: expected "ASN:NN" or an IP address, found nothing');
        else setAction(r.value, s);
        break;
      }
      case 'redirect-to-nexthop-ietf': {
        if (!arg || !parseAddress(arg)) err('rule_action_invalid', s.words[1] ?? s, 'then.redirect-to-nexthop-ietf', `redirect-to-nexthop-ietf: expected an IP address, found ${arg === undefined ? 'nothing' : `"${arg}"`}`);
        else setAction({ kind: 'redirect', target: arg.toLowerCase() }, s);
        break;
      }
      case 'redirect-to-nexthop': {
        if (!nextHop) err('rule_action_invalid', s, 'then.redirect-to-nexthop', 'redirect-to-nexthop needs a `next-hop ADDRESS;` in the route, found none');
        else {
          const r = parseRedirectTarget(nextHop.text);
          if (!r.ok) err('rule_action_invalid', nextHop, 'then.redirect-to-nexthop', r.message);
          else setAction(r.value, s);
        }
        break;
      }
      case 'mark': {
        const r = arg ? parseNumericScalar(arg, numericField('dscp', family)) : undefined;
        if (!r?.ok) err('rule_action_invalid', s.words[1] ?? s, 'then.mark', r?.message ?? 'mark: expected a DSCP value, found nothing');
        else setAction({ kind: 'mark-dscp', dscp: r.value }, s);
        break;
      }
      case 'action': {
        const v = (arg ?? '').toLowerCase();
        if (!/^(sample|terminal|sample-terminal|terminal-sample)$/.test(v)) {
          err('rule_action_invalid', s.words[1] ?? s, 'then.action', `action: expected sample, terminal or sample-terminal, found ${arg === undefined ? 'nothing' : `"${arg}"`}`);
          break;
        }
        if (v.includes('sample')) sample = true;
        // T bit set = continue with subsequent rules (RFC 8955 §7.3).
        if (v.includes('terminal')) terminal = false;
        break;
      }
      default:
        if (IGNORED_THEN.has(kw)) {
          warn(s, `then.${kw}`, `then ${s.words.map((w) => w.text).join(' ')} was not imported: MitigationRule carries no BGP communities or path attributes`);
        } else if (kw === 'copy') {
          err('rule_action_invalid', s, 'then.copy', 'copy (traffic mirroring) has no MitigationRule equivalent');
        } else {
          err('rule_field_unknown', s, `then.${kw}`, `unknown action "${kw}"${suggestClosest(kw, THEN_KEYWORDS) ? ` (did you mean "${suggestClosest(kw, THEN_KEYWORDS)}"?)` : ''}; expected one of: ${THEN_KEYWORDS.join(', ')}`, { actual: kw });
        }
    }
  }

  if (findings.filter((f) => f.severity === 'error').length > start) return undefined;
  return {
    id: spec.id,
    family,
    match,
    action: action ?? { kind: 'accept' },
    ...(sample !== undefined ? { sample } : {}),
    ...(terminal !== undefined ? { terminal } : {}),
    scope: opts.scope ?? { kind: 'global' },
    provenance: { origin: 'exabgp' },
  };
}

/** Import ExaBGP flow routes. */
export function parseExabgpRules(text: string, opts: RuleParseOptions = {}): RuleParseResult {
  const parsed = parseBraceConfig(text);
  const findings: Finding[] = [...parsed.findings];
  if (parsed.findings.some((f) => f.severity === 'error')) return { rules: [], findings };
  const routes = collectRoutes(parsed.statements);
  if (routes.length === 0) findings.push({ code: 'rule_file_empty', severity: 'warning', message: 'no flow routes found: expected `flow { route NAME { match { ... } then { ... } } }`' });
  const rules: MitigationRule[] = [];
  const seen = new Set<string>();
  for (const spec of routes) {
    if (seen.has(spec.id)) {
      findings.push(finding('rule_duplicate_id', spec.at, `flow route "${spec.id}" is defined twice; names must be unique`, { rule: spec.id }));
      continue;
    }
    seen.add(spec.id);
    const rule = routeToRule(spec, opts, findings);
    if (rule) rules.push(rule);
  }
  return { rules, findings };
}
