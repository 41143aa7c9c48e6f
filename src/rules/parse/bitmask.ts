// Bitmask matches (RFC 8955 §4.2.1.2: TCP flags, fragment bits) as friendly expressions,
// converted to the model's disjunctive normal form (OR of clauses, each an AND of terms):
//   syn                 -> all(syn)            (flag set)
//   !ack                -> none(ack)           (flag clear)
//   syn & !ack          -> all(syn) & none(ack)
//   (syn | ack)         -> any(syn|ack)        (at least one set)
//   (!syn | !ack)       -> not-all(syn|ack)    (not all set); also !(syn & ack)
//   (syn & !ack) | rst  -> two clauses
// Operators '&'/'&&' and '|'/'||', '!' negation, parentheses; flags by name, 0x-hex or
// decimal, "syn+ack" joins bits. Junos synonyms: tcp-initial, tcp-established.
import type { BitmaskMatch, BitmaskTerm } from '../model.js';
import { FRAGMENT_NAMES, type NameTable, TCP_FLAG_NAMES, lookupName, normaliseName } from './names.js';

export interface BitmaskField {
  readonly label: string;
  readonly names: NameTable;
  /** Widest value the field carries (TCP flags: 16 bits per RFC 8955 §4.2.2.9; fragment: 8). */
  readonly maxBits: number;
  /** Expansions of whole-expression synonyms. */
  readonly synonyms?: Readonly<Record<string, string>>;
}

export type BitmaskParse = { readonly ok: true; readonly match: BitmaskMatch } | { readonly ok: false; readonly code: 'rule_bitmask_invalid' | 'rule_name_unknown'; readonly message: string };

const MAX_CLAUSES = 64;

export const TCP_FLAGS_FIELD: BitmaskField = {
  label: 'TCP flags',
  names: TCP_FLAG_NAMES,
  maxBits: 0xffff,
  synonyms: { 'tcp-initial': 'syn & !ack', 'tcp-established': '(ack | rst)' },
};

export const FRAGMENT_FIELD: BitmaskField = {
  label: 'fragment',
  names: FRAGMENT_NAMES,
  maxBits: 0xff,
  // Junos/ExaBGP "not-a-fragment": the packet is not a fragment.
  synonyms: { 'not-a-fragment': '!is-fragment' },
};

/** Names preferred when rendering (the tables hold aliases too). */
export const TCP_FLAG_PREFERRED = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr'] as const;
export const FRAGMENT_PREFERRED = ['dont-fragment', 'is-fragment', 'first-fragment', 'last-fragment'] as const;

type Node =
  | { readonly kind: 'lit'; readonly bits: number }
  | { readonly kind: 'not'; readonly child: Node }
  | { readonly kind: 'and'; readonly children: readonly Node[] }
  | { readonly kind: 'or'; readonly children: readonly Node[] };

class BitmaskSyntaxError extends Error {
  constructor(
    readonly code: 'rule_bitmask_invalid' | 'rule_name_unknown',
    message: string,
  ) {
    super(message);
  }
}

/** Parse one flag literal ("syn", "0x12", "18", "syn+ack") into its bits. */
export function parseFlagBits(text: string, field: BitmaskField): { ok: true; bits: number } | { ok: false; code: 'rule_bitmask_invalid' | 'rule_name_unknown'; message: string } {
  let bits = 0;
  for (const part of text.split('+')) {
    const t = part.trim();
    let v: number | undefined;
    if (/^0x[0-9a-f]+$/i.test(t)) v = Number.parseInt(t.slice(2), 16);
    else if (/^\d+$/.test(t)) v = Number(t);
    else v = lookupName(field.names, t);
    if (v === undefined) {
      return { ok: false, code: 'rule_name_unknown', message: `${field.label}: expected a flag name (${Object.keys(field.names).join(', ')}) or a number, found "${t}"` };
    }
    if (!Number.isInteger(v) || v <= 0 || v > field.maxBits) {
      return { ok: false, code: 'rule_bitmask_invalid', message: `${field.label}: flag value "${t}" is outside 1..0x${field.maxBits.toString(16)}` };
    }
    bits |= v;
  }
  return { ok: true, bits };
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(&&|\|\||[&|!()]|[^\s&|!()]+)/y;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    m = re.exec(text);
    if (!m) break;
    pos = re.lastIndex;
    const t = m[1]!;
    tokens.push(t === '&&' ? '&' : t === '||' ? '|' : t);
  }
  if (text.slice(pos).trim() !== '') throw new BitmaskSyntaxError('rule_bitmask_invalid', `unexpected text "${text.slice(pos).trim()}"`);
  return tokens;
}

function parseAst(text: string, field: BitmaskField): Node {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const orExpr = (): Node => {
    const children = [andExpr()];
    while (peek() === '|') {
      i++;
      children.push(andExpr());
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  };
  const andExpr = (): Node => {
    const children = [unary()];
    while (peek() === '&') {
      i++;
      children.push(unary());
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  };
  const unary = (): Node => {
    const t = peek();
    if (t === undefined) throw new BitmaskSyntaxError('rule_bitmask_invalid', 'expression ends where a flag was expected');
    if (t === '!') {
      i++;
      return { kind: 'not', child: unary() };
    }
    if (t === '(') {
      i++;
      const inner = orExpr();
      if (peek() !== ')') throw new BitmaskSyntaxError('rule_bitmask_invalid', `expected ")", found ${peek() === undefined ? 'the end' : `"${peek()}"`}`);
      i++;
      return inner;
    }
    if (t === ')' || t === '&' || t === '|') throw new BitmaskSyntaxError('rule_bitmask_invalid', `expected a flag, found "${t}"`);
    i++;
    const synonym = field.synonyms?.[normaliseName(t)];
    if (synonym !== undefined) return parseAst(synonym, field);
    const lit = parseFlagBits(t, field);
    if (!lit.ok) throw new BitmaskSyntaxError(lit.code, lit.message.replace(`${field.label}: `, ''));
    return { kind: 'lit', bits: lit.bits };
  };
  if (tokens.length === 0) throw new BitmaskSyntaxError('rule_bitmask_invalid', 'empty expression');
  const node = orExpr();
  if (i < tokens.length) throw new BitmaskSyntaxError('rule_bitmask_invalid', `unexpected "${tokens[i]}"`);
  return node;
}

function isLit(n: Node): n is { kind: 'lit'; bits: number } {
  return n.kind === 'lit';
}

function isNotLit(n: Node): boolean {
  return n.kind === 'not' && n.child.kind === 'lit';
}

function orBits(nodes: readonly Node[]): number {
  let b = 0;
  for (const n of nodes) b |= n.kind === 'lit' ? n.bits : n.kind === 'not' && n.child.kind === 'lit' ? n.child.bits : 0;
  return b;
}

function product(parts: readonly BitmaskTerm[][][]): BitmaskTerm[][] {
  let acc: BitmaskTerm[][] = [[]];
  for (const clauses of parts) {
    const next: BitmaskTerm[][] = [];
    for (const a of acc) for (const c of clauses) next.push([...a, ...c]);
    if (next.length > MAX_CLAUSES) throw new BitmaskSyntaxError('rule_bitmask_invalid', `expression expands to more than ${MAX_CLAUSES} clauses`);
    acc = next;
  }
  return acc;
}

/** Disjunctive normal form, recognising the four RFC 8955 bitmask tests as single terms. */
function toDnf(node: Node, negated: boolean): BitmaskTerm[][] {
  switch (node.kind) {
    case 'lit':
      return [[{ op: negated ? 'none' : 'all', bits: node.bits }]];
    case 'not':
      return toDnf(node.child, !negated);
    case 'and':
      if (!negated) return product(node.children.map((c) => toDnf(c, false)));
      // !(a & b) = not-all(a|b) when all are plain flags; otherwise De Morgan.
      if (node.children.every(isLit)) return [[{ op: 'not-all', bits: orBits(node.children) }]];
      return node.children.flatMap((c) => toDnf(c, true));
    case 'or':
      if (!negated) {
        if (node.children.every(isLit)) return [[{ op: 'any', bits: orBits(node.children) }]];
        if (node.children.every(isNotLit)) return [[{ op: 'not-all', bits: orBits(node.children) }]];
        return node.children.flatMap((c) => toDnf(c, false));
      }
      return product(node.children.map((c) => toDnf(c, true)));
  }
}

function popcount(n: number): number {
  let c = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) c += v & 1;
  return c;
}

const OP_ORDER: Record<BitmaskTerm['op'], number> = { all: 0, any: 1, none: 2, 'not-all': 3 };

/**
 * Canonical form: within a clause, all-terms merge into one (all(a)&all(b) = all(a|b)), as do
 * none-terms; a single-bit any is an all and a single-bit not-all is a none; terms are ordered
 * all, any, none, not-all; duplicate terms and clauses are dropped (clause order is kept).
 */
export function canonicaliseBitmask(match: BitmaskMatch): BitmaskMatch {
  const out: BitmaskTerm[][] = [];
  const seen = new Set<string>();
  for (const clause of match) {
    let all = 0;
    let none = 0;
    const others: BitmaskTerm[] = [];
    for (const t of clause) {
      const single = popcount(t.bits) === 1;
      if (t.op === 'all' || (t.op === 'any' && single)) all |= t.bits;
      else if (t.op === 'none' || (t.op === 'not-all' && single)) none |= t.bits;
      else if (!others.some((o) => o.op === t.op && o.bits === t.bits)) others.push({ op: t.op, bits: t.bits });
    }
    const terms: BitmaskTerm[] = [];
    if (all !== 0) terms.push({ op: 'all', bits: all });
    if (none !== 0) terms.push({ op: 'none', bits: none });
    terms.push(...others);
    terms.sort((a, b) => OP_ORDER[a.op] - OP_ORDER[b.op] || a.bits - b.bits);
    const key = JSON.stringify(terms);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(terms);
    }
  }
  return out;
}

/** Parse a friendly expression (or several, OR'ed) into a canonical bitmask match. */
export function parseBitmaskExpressions(texts: readonly string[], field: BitmaskField): BitmaskParse {
  const clauses: BitmaskTerm[][] = [];
  for (const text of texts) {
    try {
      clauses.push(...toDnf(parseAst(text, field), false));
    } catch (e) {
      if (e instanceof BitmaskSyntaxError) return { ok: false, code: e.code, message: `${field.label}: ${e.message} in "${text}"` };
      throw e;
    }
  }
  if (clauses.length === 0) return { ok: false, code: 'rule_bitmask_invalid', message: `${field.label}: expected at least one flag expression, found none` };
  if (clauses.length > MAX_CLAUSES) return { ok: false, code: 'rule_bitmask_invalid', message: `${field.label}: more than ${MAX_CLAUSES} clauses` };
  return { ok: true, match: canonicaliseBitmask(clauses) };
}

/** Split a term's bits into single bits, named where the table has a name. */
export function bitNames(bits: number, names: NameTable, preferred: readonly string[]): string[] {
  const out: string[] = [];
  for (let bit = 1; bit <= bits && bit > 0; bit *= 2) {
    if ((bits & bit) === 0) continue;
    const name = preferred.find((n) => names[n] === bit) ?? Object.keys(names).find((k) => names[k] === bit);
    out.push(name ?? `0x${bit.toString(16)}`);
  }
  return out;
}

/** Format one term in the friendly grammar (round-trips through parseBitmaskExpressions). */
export function formatBitmaskTerm(t: BitmaskTerm, names: NameTable, preferred: readonly string[]): string {
  const flags = bitNames(t.bits, names, preferred);
  switch (t.op) {
    case 'all':
      return flags.join(' & ');
    case 'none':
      return flags.map((f) => `!${f}`).join(' & ');
    case 'any':
      return flags.length === 1 ? flags[0]! : `(${flags.join(' | ')})`;
    case 'not-all':
      return flags.length === 1 ? `!${flags[0]!}` : `(${flags.map((f) => `!${f}`).join(' | ')})`;
  }
}

export function formatBitmaskClause(clause: readonly BitmaskTerm[], names: NameTable, preferred: readonly string[]): string {
  return clause.map((t) => formatBitmaskTerm(t, names, preferred)).join(' & ');
}

/** Whole match as one expression: clauses joined by " | ", multi-term clauses parenthesised. */
export function formatBitmaskExpression(match: BitmaskMatch, names: NameTable, preferred: readonly string[]): string {
  if (match.length === 1) return formatBitmaskClause(match[0]!, names, preferred);
  return match
    .map((c) => {
      const s = formatBitmaskClause(c, names, preferred);
      // A lone any/not-all term is already parenthesised; AND-ed clauses get parentheses for the reader.
      return c.length > 1 || s.includes('&') ? `(${s})` : s;
    })
    .join(' | ');
}
