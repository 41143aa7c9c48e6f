// A backtracking regular-expression matcher that counts its steps: the same search a
// backtracking engine (V8's Irregexp, PCRE) performs — leftmost start, ordered alternatives,
// greedy/lazy quantifiers, captures, backreferences, lookaround — compiled to a small VM whose
// executed instructions are the cost. Used to estimate what a WAF regex costs per request on a
// corpus, deterministically (no clock), with a step budget so a catastrophic pattern is cut off.
//
// Covers the JavaScript syntax WAF rules use (Annex B leniency for `{`, `}`, `]` and octal-ish
// escapes outside `u` mode). Unicode property escapes, the `v` flag and inline modifiers are
// reported as unsupported rather than guessed.

export class RegexUnsupportedError extends Error {
  override name = 'RegexUnsupportedError';
}

type CharTest = (c: number) => boolean;

type Node =
  | { readonly t: 'empty' }
  | { readonly t: 'char'; readonly test: CharTest }
  | { readonly t: 'seq'; readonly items: readonly Node[] }
  | { readonly t: 'alt'; readonly alts: readonly Node[] }
  | { readonly t: 'group'; readonly index: number | undefined; readonly body: Node }
  | { readonly t: 'repeat'; readonly body: Node; readonly min: number; readonly max: number; readonly greedy: boolean }
  | { readonly t: 'assert'; readonly kind: 'begin' | 'end' | 'word' | 'not-word' }
  | { readonly t: 'look'; readonly body: Node; readonly negate: boolean; readonly behind: boolean }
  | { readonly t: 'backref'; readonly index: number };

const enum Op {
  Char,
  Split,
  Jmp,
  Save,
  Assert,
  Look,
  Backref,
  Mark,
  Progress,
  Match,
}

type Inst =
  | { readonly op: Op.Char; readonly test: CharTest }
  | { readonly op: Op.Split; x: number; y: number }
  | { readonly op: Op.Jmp; x: number }
  | { readonly op: Op.Save; readonly slot: number }
  | { readonly op: Op.Assert; readonly kind: 'begin' | 'end' | 'word' | 'not-word' }
  | { readonly op: Op.Look; readonly prog: readonly Inst[]; readonly negate: boolean; readonly behind: boolean }
  | { readonly op: Op.Backref; readonly index: number }
  | { readonly op: Op.Mark; readonly reg: number }
  | { readonly op: Op.Progress; readonly reg: number }
  | { readonly op: Op.Match };

export interface CompiledRegex {
  readonly source: string;
  readonly flags: string;
  readonly prog: readonly Inst[];
  readonly captureCount: number;
  readonly loopRegisters: number;
}

export interface MatchRun {
  readonly matched: boolean;
  /** VM instructions executed, over every start position tried. */
  readonly steps: number;
  /** True when the step budget ran out before the search finished. */
  readonly exhausted: boolean;
}

const MAX_PROGRAM = 200_000;

const isLineTerminator = (c: number): boolean => c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isWord = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || isDigit(c) || c === 0x5f;
const isSpace = (c: number): boolean =>
  c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;

function foldCase(test: CharTest): CharTest {
  return (c) => {
    if (test(c)) return true;
    const s = String.fromCharCode(c);
    const lo = s.toLowerCase();
    const up = s.toUpperCase();
    return (lo.length === 1 && lo.charCodeAt(0) !== c && test(lo.charCodeAt(0))) || (up.length === 1 && up.charCodeAt(0) !== c && test(up.charCodeAt(0)));
  };
}

class Parser {
  private i = 0;
  private groups = 0;
  private readonly names = new Map<string, number>();
  readonly totalGroups: number;
  readonly namedGroups: ReadonlyMap<string, number>;

  constructor(
    private readonly src: string,
    private readonly unicode: boolean,
    private readonly ignoreCase: boolean,
    private readonly dotAll: boolean,
  ) {
    const pre = prescanGroups(src);
    this.totalGroups = pre.count;
    this.namedGroups = pre.names;
  }

  get captureCount(): number {
    return this.groups;
  }

  parse(): Node {
    const n = this.alternation();
    if (this.i < this.src.length) throw new RegexUnsupportedError(`unexpected "${this.src[this.i]}" at ${this.i}`);
    return n;
  }

  private peek(k = 0): string | undefined {
    return this.src[this.i + k];
  }

  private alternation(): Node {
    const alts: Node[] = [this.sequence()];
    while (this.peek() === '|') {
      this.i++;
      alts.push(this.sequence());
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    return items.length === 0 ? { t: 'empty' } : items.length === 1 ? items[0]! : { t: 'seq', items };
  }

  private quantified(atom: Node): Node {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return atom;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' || m[3] === undefined ? Infinity : Number(m[3]);
      this.i += m[0].length - 1;
    } else return atom;
    this.i++;
    let greedy = true;
    if (this.peek() === '?') {
      greedy = false;
      this.i++;
    }
    if (atom.t === 'assert') throw new RegexUnsupportedError('quantified assertion');
    return { t: 'repeat', body: atom, min, max, greedy };
  }

  private charNode(test: CharTest): Node {
    return { t: 'char', test: this.ignoreCase ? foldCase(test) : test };
  }

  private literal(code: number): Node {
    return this.charNode((c) => c === code);
  }

  private atom(): Node {
    const c = this.src[this.i]!;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.charNode(this.characterClass());
      case '.':
        this.i++;
        return { t: 'char', test: this.dotAll ? () => true : (x) => !isLineTerminator(x) };
      case '^':
        this.i++;
        return { t: 'assert', kind: 'begin' };
      case '$':
        this.i++;
        return { t: 'assert', kind: 'end' };
      case '\\':
        return this.atomEscape();
      case '*':
      case '+':
      case '?':
        throw new RegexUnsupportedError(`nothing to repeat at ${this.i}`);
      default: {
        if (c === '{' && /^\{\d+(,\d*)?\}/.test(this.src.slice(this.i))) throw new RegexUnsupportedError(`nothing to repeat at ${this.i}`);
        const cp = this.unicode ? this.src.codePointAt(this.i)! : this.src.charCodeAt(this.i);
        if (cp > 0xffff) throw new RegexUnsupportedError('astral code points');
        this.i++;
        return this.literal(cp);
      }
    }
  }

  private group(): Node {
    this.i++; // (
    let node: Node;
    if (this.peek() === '?') {
      const k = this.peek(1);
      if (k === ':') {
        this.i += 2;
        node = { t: 'group', index: undefined, body: this.alternation() };
      } else if (k === '=' || k === '!') {
        this.i += 2;
        node = { t: 'look', body: this.alternation(), negate: k === '!', behind: false };
      } else if (k === '<' && (this.peek(2) === '=' || this.peek(2) === '!')) {
        const negate = this.peek(2) === '!';
        this.i += 3;
        node = { t: 'look', body: this.alternation(), negate, behind: true };
      } else if (k === '<') {
        const end = this.src.indexOf('>', this.i);
        if (end < 0) throw new RegexUnsupportedError('unterminated group name');
        const name = this.src.slice(this.i + 2, end);
        this.i = end + 1;
        const index = ++this.groups;
        this.names.set(name, index);
        node = { t: 'group', index, body: this.alternation() };
      } else {
        throw new RegexUnsupportedError(`group modifier (?${k ?? ''} is not supported`);
      }
    } else {
      const index = ++this.groups;
      node = { t: 'group', index, body: this.alternation() };
    }
    if (this.peek() !== ')') throw new RegexUnsupportedError('unterminated group');
    this.i++;
    return node;
  }

  private atomEscape(): Node {
    this.i++; // backslash
    const c = this.src[this.i];
    if (c === undefined) throw new RegexUnsupportedError('trailing backslash');
    if (c === 'b' || c === 'B') {
      this.i++;
      return { t: 'assert', kind: c === 'b' ? 'word' : 'not-word' };
    }
    if (c >= '1' && c <= '9') {
      const m = /^\d+/.exec(this.src.slice(this.i))!;
      const n = Number(m[0]);
      if (n <= this.totalGroups) {
        this.i += m[0].length;
        return { t: 'backref', index: n };
      }
      if (this.unicode) throw new RegexUnsupportedError(`backreference \\${n} to a missing group`);
      // Annex B: a legacy octal escape, or the digit itself (\8, \9).
      const oct = /^[0-7]{1,3}/.exec(this.src.slice(this.i));
      if (oct && Number.parseInt(oct[0], 8) <= 0xff) {
        this.i += oct[0].length;
        return this.literal(Number.parseInt(oct[0], 8));
      }
      this.i++;
      return this.literal(c.charCodeAt(0));
    }
    if (c === 'k' && (this.unicode || this.namedGroups.size > 0)) {
      const end = this.src.indexOf('>', this.i);
      const name = this.src.slice(this.i + 2, end);
      const index = this.namedGroups.get(name);
      if (this.peek(1) !== '<' || end < 0 || index === undefined) throw new RegexUnsupportedError(`bad named backreference at ${this.i}`);
      this.i = end + 1;
      return { t: 'backref', index };
    }
    return this.charNode(this.characterEscape(false));
  }

  /** An escape that denotes a set of characters (also inside a class). */
  private characterEscape(inClass: boolean): CharTest {
    const c = this.src[this.i]!;
    this.i++;
    switch (c) {
      case 'd':
        return isDigit;
      case 'D':
        return (x) => !isDigit(x);
      case 'w':
        return isWord;
      case 'W':
        return (x) => !isWord(x);
      case 's':
        return isSpace;
      case 'S':
        return (x) => !isSpace(x);
      case 'p':
      case 'P':
        if (this.unicode) throw new RegexUnsupportedError('unicode property escapes');
        return eq(c.charCodeAt(0));
      default:
        return eq(this.singleEscape(c, inClass));
    }
  }

  /** The code unit of a single-character escape whose letter (already consumed) is `c`. */
  private singleEscape(c: string, inClass: boolean): number {
    switch (c) {
      case 'n':
        return 0x0a;
      case 'r':
        return 0x0d;
      case 't':
        return 0x09;
      case 'f':
        return 0x0c;
      case 'v':
        return 0x0b;
      case 'b':
        if (inClass) return 0x08;
        break;
      case '0': {
        const oct = /^[0-7]{0,2}/.exec(this.src.slice(this.i))![0];
        if (!this.unicode && oct.length > 0) {
          this.i += oct.length;
          return Number.parseInt(`0${oct}`, 8);
        }
        return 0;
      }
      case 'x': {
        const m = /^[0-9a-fA-F]{2}/.exec(this.src.slice(this.i));
        if (!m) return 'x'.charCodeAt(0);
        this.i += 2;
        return Number.parseInt(m[0], 16);
      }
      case 'u': {
        const m = /^[0-9a-fA-F]{4}/.exec(this.src.slice(this.i));
        if (m) {
          this.i += 4;
          return Number.parseInt(m[0], 16);
        }
        const b = this.unicode ? /^\{([0-9a-fA-F]+)\}/.exec(this.src.slice(this.i)) : null;
        if (b) {
          const cp = Number.parseInt(b[1]!, 16);
          if (cp > 0xffff) throw new RegexUnsupportedError('astral code points');
          this.i += b[0].length;
          return cp;
        }
        return 'u'.charCodeAt(0);
      }
      case 'c': {
        const l = this.src[this.i];
        if (l !== undefined && /[a-zA-Z]/.test(l)) {
          this.i++;
          return l.charCodeAt(0) % 32;
        }
        this.i--; // Annex B: "\c" is a backslash then "c"
        return 0x5c;
      }
      default:
        if (inClass && c >= '1' && c <= '7' && !this.unicode) {
          const oct = /^[0-7]{0,2}/.exec(this.src.slice(this.i))![0];
          this.i += oct.length;
          return Number.parseInt(c + oct, 8);
        }
    }
    return c.charCodeAt(0);
  }

  private characterClass(): CharTest {
    this.i++; // [
    let negate = false;
    if (this.peek() === '^') {
      negate = true;
      this.i++;
    }
    const parts: CharTest[] = [];
    const ranges: number[] = [];
    const readAtom = (): { set?: CharTest; code?: number } => {
      const c = this.src[this.i];
      if (c === undefined) throw new RegexUnsupportedError('unterminated class');
      if (c === '\\') {
        this.i++;
        const e = this.src[this.i]!;
        if ('dDwWsSpP'.includes(e) && !(e.toLowerCase() === 'p' && !this.unicode)) return { set: this.characterEscape(true) };
        this.i++;
        return { code: this.singleEscape(e, true) };
      }
      this.i++;
      return { code: c.charCodeAt(0) };
    };
    while (this.peek() !== ']') {
      const a = readAtom();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.i++;
        const b = readAtom();
        if (a.code !== undefined && b.code !== undefined) {
          ranges.push(a.code, b.code);
          continue;
        }
        // Annex B: a class escape next to "-" makes the "-" literal.
        if (a.set) parts.push(a.set);
        else ranges.push(a.code!, a.code!);
        ranges.push(0x2d, 0x2d);
        if (b.set) parts.push(b.set);
        else ranges.push(b.code!, b.code!);
        continue;
      }
      if (a.set) parts.push(a.set);
      else ranges.push(a.code!, a.code!);
    }
    this.i++; // ]
    const test: CharTest = (x) => {
      for (let k = 0; k < ranges.length; k += 2) if (x >= ranges[k]! && x <= ranges[k + 1]!) return true;
      for (const p of parts) if (p(x)) return true;
      return false;
    };
    if (!negate) return test;
    // Case folding applies before negation: [^a] with i excludes "A" too.
    const folded = this.ignoreCase ? foldCase(test) : test;
    return (x) => !folded(x);
  }
}

function eq(code: number): CharTest {
  return (c) => c === code;
}

/** Count capturing groups and their names before parsing (backreferences may point forward). */
function prescanGroups(src: string): { count: number; names: Map<string, number> } {
  let count = 0;
  const names = new Map<string, number>();
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') {
      if (src[i + 1] !== '?') count++;
      else if (src[i + 2] === '<' && src[i + 3] !== '=' && src[i + 3] !== '!') {
        count++;
        const end = src.indexOf('>', i);
        if (end > 0) names.set(src.slice(i + 3, end), count);
      }
    }
  }
  return { count, names };
}

function nullable(n: Node): boolean {
  switch (n.t) {
    case 'empty':
    case 'assert':
    case 'look':
    case 'backref':
      return true;
    case 'char':
      return false;
    case 'seq':
      return n.items.every(nullable);
    case 'alt':
      return n.alts.some(nullable);
    case 'group':
      return nullable(n.body);
    case 'repeat':
      return n.min === 0 || nullable(n.body);
  }
}

class Compiler {
  readonly prog: Inst[] = [];
  loopRegisters = 0;

  private emit(i: Inst): number {
    if (this.prog.length >= MAX_PROGRAM) throw new RegexUnsupportedError('pattern expands to too many instructions (large counted repetition)');
    this.prog.push(i);
    return this.prog.length - 1;
  }

  compile(n: Node): void {
    switch (n.t) {
      case 'empty':
        return;
      case 'char':
        this.emit({ op: Op.Char, test: n.test });
        return;
      case 'seq':
        for (const x of n.items) this.compile(x);
        return;
      case 'alt': {
        const jumps: Array<{ op: Op.Jmp; x: number }> = [];
        for (let k = 0; k < n.alts.length; k++) {
          if (k < n.alts.length - 1) {
            const split = { op: Op.Split as const, x: 0, y: 0 };
            this.emit(split);
            split.x = this.prog.length;
            this.compile(n.alts[k]!);
            const j = { op: Op.Jmp as const, x: 0 };
            this.emit(j);
            jumps.push(j);
            split.y = this.prog.length;
          } else this.compile(n.alts[k]!);
        }
        for (const j of jumps) j.x = this.prog.length;
        return;
      }
      case 'group':
        if (n.index === undefined) {
          this.compile(n.body);
          return;
        }
        this.emit({ op: Op.Save, slot: 2 * n.index });
        this.compile(n.body);
        this.emit({ op: Op.Save, slot: 2 * n.index + 1 });
        return;
      case 'assert':
        this.emit({ op: Op.Assert, kind: n.kind });
        return;
      case 'backref':
        this.emit({ op: Op.Backref, index: n.index });
        return;
      case 'look': {
        const sub = new Compiler();
        sub.loopRegisters = this.loopRegisters;
        sub.compile(n.body);
        sub.emit({ op: Op.Match });
        this.loopRegisters = sub.loopRegisters;
        this.emit({ op: Op.Look, prog: sub.prog, negate: n.negate, behind: n.behind });
        return;
      }
      case 'repeat': {
        for (let k = 0; k < n.min; k++) this.compile(n.body);
        if (n.max === Infinity) {
          const guard = nullable(n.body);
          const reg = guard ? this.loopRegisters++ : -1;
          const split = { op: Op.Split as const, x: 0, y: 0 };
          const top = this.emit(split);
          const bodyStart = this.prog.length;
          if (guard) this.emit({ op: Op.Mark, reg });
          this.compile(n.body);
          if (guard) this.emit({ op: Op.Progress, reg });
          this.emit({ op: Op.Jmp, x: top });
          const after = this.prog.length;
          split.x = n.greedy ? bodyStart : after;
          split.y = n.greedy ? after : bodyStart;
          return;
        }
        const exits: Array<{ op: Op.Split; x: number; y: number }> = [];
        for (let k = n.min; k < n.max; k++) {
          const split = { op: Op.Split as const, x: 0, y: 0 };
          this.emit(split);
          exits.push(split);
          const bodyStart = this.prog.length;
          this.compile(n.body);
          split.x = bodyStart; // patched below for lazy
        }
        const after = this.prog.length;
        for (const s of exits) {
          if (n.greedy) s.y = after;
          else {
            s.y = s.x;
            s.x = after;
          }
        }
        return;
      }
    }
  }
}

/** Parse and compile a pattern; throws RegexUnsupportedError for syntax this VM does not model. */
export function compileRegex(source: string, flags = ''): CompiledRegex {
  if (flags.includes('v')) throw new RegexUnsupportedError('the v flag');
  const parser = new Parser(source, flags.includes('u'), flags.includes('i'), flags.includes('s'));
  const ast = parser.parse();
  const c = new Compiler();
  c.compile(ast);
  c.prog.push({ op: Op.Match });
  return { source, flags, prog: c.prog, captureCount: parser.captureCount, loopRegisters: c.loopRegisters };
}

interface Budget {
  steps: number;
  readonly limit: number;
}

class OutOfSteps extends Error {}

/**
 * Run `prog` at `start`. Returns the end position of the first match in priority order, or -1.
 * `endAt` (lookbehind) requires the match to end exactly there.
 */
function runAt(prog: readonly Inst[], input: string, start: number, caps: number[], regs: number[], budget: Budget, multiline: boolean, endAt: number): number {
  // Backtrack stack: triples [kind, a, b]; kind 0 = resume (pc, pos), 1 = restore capture, 2 = restore register.
  const stack: number[] = [0, 0, start];
  const len = input.length;
  while (stack.length > 0) {
    const b = stack.pop()!;
    const a = stack.pop()!;
    const kind = stack.pop()!;
    if (kind === 1) {
      caps[a] = b;
      continue;
    }
    if (kind === 2) {
      regs[a] = b;
      continue;
    }
    let pc = a;
    let pos = b;
    for (;;) {
      if (++budget.steps > budget.limit) throw new OutOfSteps();
      const inst = prog[pc]!;
      let ok = true;
      switch (inst.op) {
        case Op.Char:
          if (pos < len && inst.test(input.charCodeAt(pos))) {
            pos++;
            pc++;
          } else ok = false;
          break;
        case Op.Split:
          stack.push(0, inst.y, pos);
          pc = inst.x;
          break;
        case Op.Jmp:
          pc = inst.x;
          break;
        case Op.Save:
          stack.push(1, inst.slot, caps[inst.slot]!);
          caps[inst.slot] = pos;
          pc++;
          break;
        case Op.Mark:
          stack.push(2, inst.reg, regs[inst.reg]!);
          regs[inst.reg] = pos;
          pc++;
          break;
        case Op.Progress:
          if (regs[inst.reg] === pos) ok = false;
          else pc++;
          break;
        case Op.Assert: {
          const before = pos > 0 ? input.charCodeAt(pos - 1) : -1;
          const after = pos < len ? input.charCodeAt(pos) : -1;
          switch (inst.kind) {
            case 'begin':
              ok = pos === 0 || (multiline && isLineTerminator(before));
              break;
            case 'end':
              ok = pos === len || (multiline && isLineTerminator(after));
              break;
            case 'word':
            case 'not-word': {
              const boundary = (before >= 0 && isWord(before)) !== (after >= 0 && isWord(after));
              ok = inst.kind === 'word' ? boundary : !boundary;
              break;
            }
          }
          if (ok) pc++;
          break;
        }
        case Op.Backref: {
          const s = caps[2 * inst.index]!;
          const e = caps[2 * inst.index + 1]!;
          if (s < 0 || e < 0) {
            pc++;
            break;
          }
          const n = e - s;
          if (pos + n <= len && input.startsWith(input.slice(s, e), pos)) {
            budget.steps += n;
            pos += n;
            pc++;
          } else ok = false;
          break;
        }
        case Op.Look: {
          let found = false;
          if (inst.behind) {
            for (let j = pos; j >= 0 && !found; j--) found = runAt(inst.prog, input, j, caps, regs, budget, multiline, pos) >= 0;
          } else found = runAt(inst.prog, input, pos, caps, regs, budget, multiline, -1) >= 0;
          if (found !== inst.negate) pc++;
          else ok = false;
          break;
        }
        case Op.Match:
          if (endAt >= 0 && pos !== endAt) ok = false;
          else return pos;
          break;
      }
      if (!ok) break;
    }
  }
  return -1;
}

/**
 * Search `input` as RegExp.prototype.test would (every start position, leftmost first),
 * counting VM steps; stops when `stepLimit` is exhausted.
 */
export function runRegex(re: CompiledRegex, input: string, stepLimit: number): MatchRun {
  const budget: Budget = { steps: 0, limit: stepLimit };
  const caps = new Array<number>(2 * (re.captureCount + 1)).fill(-1);
  const regs = new Array<number>(re.loopRegisters).fill(-1);
  const multiline = re.flags.includes('m');
  const lastStart = re.flags.includes('y') ? 0 : input.length;
  try {
    for (let start = 0; start <= lastStart; start++) {
      caps.fill(-1);
      if (runAt(re.prog, input, start, caps, regs, budget, multiline, -1) >= 0) return { matched: true, steps: budget.steps, exhausted: false };
    }
    return { matched: false, steps: budget.steps, exhausted: false };
  } catch (e) {
    if (e instanceof OutOfSteps) return { matched: false, steps: stepLimit, exhausted: true };
    throw e;
  }
}
