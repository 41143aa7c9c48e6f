// Tokenizer and statement tree for the curly-brace configuration languages the importers read
// (Junos and ExaBGP): `words... ;`, `words... { statements }`, `[ list items ]`, quoted
// strings, and comments (`#` to end of line; `/* ... */` in Junos). Every word keeps its source
// line and column so findings can point at it. Never throws: problems come back as findings.
import type { Finding } from '../model.js';

export interface Word {
  readonly text: string;
  readonly quoted: boolean;
  readonly line: number;
  readonly column: number;
  /** Set for a bracketed list `[ a b c ]`: its items (text is the items joined by a space). */
  readonly items?: readonly Word[];
}

export interface Statement {
  readonly words: readonly Word[];
  readonly block?: readonly Statement[];
  readonly line: number;
  readonly column: number;
}

type Token =
  | { readonly kind: 'word'; readonly word: Word }
  | { readonly kind: '{' | '}' | ';' | '[' | ']'; readonly line: number; readonly column: number };

interface Tokenized {
  readonly tokens: Token[];
  readonly findings: Finding[];
}

function tokenize(text: string): Tokenized {
  const tokens: Token[] = [];
  const findings: Finding[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const col = (at: number): number => at - lineStart + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const startLine = line;
      const startCol = col(i);
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) {
        if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      if (i >= text.length) {
        findings.push({ code: 'rule_file_syntax', severity: 'error', message: 'comment "/*" is never closed with "*/"', line: startLine, column: startCol });
        break;
      }
      i += 2;
      continue;
    }
    if (c === '{' || c === '}' || c === ';' || c === '[' || c === ']') {
      tokens.push({ kind: c, line, column: col(i) });
      i++;
      continue;
    }
    if (c === '"') {
      const startLine = line;
      const startCol = col(i);
      let s = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) {
          s += text[i + 1];
          i += 2;
          continue;
        }
        if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        s += text[i];
        i++;
      }
      if (i >= text.length) {
        findings.push({ code: 'rule_file_syntax', severity: 'error', message: 'quoted string is never closed (expected a closing ")', line: startLine, column: startCol });
        break;
      }
      i++;
      tokens.push({ kind: 'word', word: { text: s, quoted: true, line: startLine, column: startCol } });
      continue;
    }
    const start = i;
    while (i < text.length && !/[\s{};[\]"#]/.test(text[i]!)) i++;
    tokens.push({ kind: 'word', word: { text: text.slice(start, i), quoted: false, line, column: col(start) } });
  }
  return { tokens, findings };
}

function describeToken(t: Token | undefined): string {
  if (!t) return 'the end of the file';
  return t.kind === 'word' ? `"${t.word.text}"` : `"${t.kind}"`;
}

/** Parse text into statements. Unbalanced braces or brackets are reported, not thrown. */
export function parseBraceConfig(text: string): { statements: Statement[]; findings: Finding[] } {
  const { tokens, findings } = tokenize(text);
  let pos = 0;
  const syntax = (message: string, at: Token | { line: number; column: number } | undefined): void => {
    const where = at ? ('kind' in at && at.kind === 'word' ? at.word : (at as { line: number; column: number })) : undefined;
    findings.push({ code: 'rule_file_syntax', severity: 'error', message, ...(where ? { line: where.line, column: where.column } : {}) });
  };

  const parseList = (open: { line: number; column: number }): Word | undefined => {
    const items: Word[] = [];
    for (;;) {
      const t = tokens[pos];
      if (!t || t.kind === ';' || t.kind === '{' || t.kind === '}' || t.kind === '[') {
        syntax(`list opened with "[" is not closed: expected "]", found ${describeToken(t)}`, t ?? open);
        return undefined;
      }
      pos++;
      if (t.kind === ']') break;
      if (t.kind === 'word') items.push(t.word);
    }
    return { text: items.map((w) => w.text).join(' '), quoted: false, line: open.line, column: open.column, items };
  };

  const parseBlock = (depth: number): Statement[] | undefined => {
    const out: Statement[] = [];
    let words: Word[] = [];
    for (;;) {
      const t = tokens[pos];
      if (!t) {
        if (depth > 0) {
          syntax('block is not closed: expected "}", found the end of the file', tokens[tokens.length - 1]);
          return undefined;
        }
        if (words.length > 0) syntax(`statement "${words.map((w) => w.text).join(' ')}" is not terminated by ";"`, { kind: 'word', word: words[0]! });
        return out;
      }
      pos++;
      switch (t.kind) {
        case 'word':
          words.push(t.word);
          break;
        case '[': {
          const list = parseList(t);
          if (!list) return undefined;
          words.push(list);
          break;
        }
        case ']':
          syntax('"]" without a matching "["', t);
          return undefined;
        case ';':
          if (words.length > 0) out.push({ words, line: words[0]!.line, column: words[0]!.column });
          words = [];
          break;
        case '{': {
          const block = parseBlock(depth + 1);
          if (!block) return undefined;
          const first = words[0];
          out.push({ words, block, line: first?.line ?? t.line, column: first?.column ?? t.column });
          words = [];
          if (tokens[pos]?.kind === ';') pos++;
          break;
        }
        case '}':
          if (depth === 0) {
            syntax('"}" without a matching "{"', t);
            return undefined;
          }
          if (words.length > 0) out.push({ words, line: words[0]!.line, column: words[0]!.column });
          return out;
      }
    }
  };

  if (findings.length > 0) return { statements: [], findings };
  const statements = parseBlock(0) ?? [];
  return { statements, findings };
}

/** The values of a statement after its keyword: list items flattened, in order. */
export function statementValues(s: Statement, skip = 1): Word[] {
  const out: Word[] = [];
  for (const w of s.words.slice(skip)) {
    if (w.items) out.push(...w.items);
    else out.push(w);
  }
  return out;
}
