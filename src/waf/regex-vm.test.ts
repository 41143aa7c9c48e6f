import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REGEX_2019 } from './check-regex.js';
import { RegexUnsupportedError, compileRegex, runRegex } from './regex-vm.js';

const agree = (pattern: string, flags: string, input: string): void => {
  const r = runRegex(compileRegex(pattern, flags), input, 5_000_000);
  expect(r.exhausted, `${pattern} on ${JSON.stringify(input)} ran out of steps`).toBe(false);
  expect(r.matched, `/${pattern}/${flags} on ${JSON.stringify(input)}`).toBe(new RegExp(pattern, flags).test(input));
};

describe('the step-counting regex VM matches as RegExp.prototype.test does', () => {
  const table: Array<[string, string, string[]]> = [
    ['^/api/v[0-9]+/users/[0-9]+$', '', ['/api/v1/users/42', '/api/v1/users/x', 'x/api/v1/users/1']],
    ['a|ab|abc', '', ['abc', 'xab', 'b']],
    ['(a|b)*c', '', ['ababc', 'abab', 'c']],
    ['(a*)*b', '', ['aaab', 'aaa', '']],
    ['a{2,3}?b', '', ['aab', 'ab', 'aaaab']],
    ['x{2}', '', ['xx', 'x']],
    ['(\\w+)@\\1', '', ['ab@ab', 'ab@ac']],
    ['(?<n>\\d)-\\k<n>', '', ['1-1', '1-2']],
    ['foo(?=bar)', '', ['foobar', 'foobaz']],
    ['foo(?!bar)', '', ['foobar', 'foobaz']],
    ['(?<=\\$)\\d+', '', ['$42', '42']],
    ['(?<!\\$)\\b\\d+', '', ['$42', '42']],
    ['^line$', 'm', ['first\nline\nlast', 'lines']],
    ['a.c', '', ['abc', 'a\nc']],
    ['a.c', 's', ['a\nc']],
    ['[^a-c\\d]+$', '', ['xyz', 'ab1', 'a']],
    ['[\\w-]+', '', ['-', '!']],
    ['SELECT\\s+\\*', 'i', ['select  *', 'SELECT*']],
    ['[a-z]+', 'i', ['ABC', '123']],
    ['\\x41\\u0042\\103', '', ['ABC', 'abc']],
    ['{}|\\|\\|', '', ['{}', '||', '|']],
    ['a]b}', '', ['a]b}']],
    [REGEX_2019, '', ['x=1', '"; alert(1) //', 'plain text', '1 a']],
  ];
  for (const [pattern, flags, inputs] of table) {
    it(`/${pattern.slice(0, 40)}/${flags}`, () => {
      for (const input of inputs) agree(pattern, flags, input);
    });
  }

  it('agrees with V8 on random patterns and inputs', () => {
    const atom = fc.constantFrom('a', 'b', '=', '.', '\\d', '[ab]', '[^a]', '\\s', '(?:a|b)', '(a)', '(a|ab)', '\\1', '(?=a)', '(?!b)', '(?<=a)', '[^\\s=]', '\\b', '^', '$');
    const quant = fc.constantFrom('', '', '*', '+', '?', '{1,2}', '*?', '+?');
    const piece = fc.tuple(atom, quant).map(([a, q]) => (/^[\^$]|\\b|^\(\?<=/.test(a) ? a : a + q));
    const pattern = fc.array(fc.array(piece, { minLength: 1, maxLength: 5 }).map((p) => p.join('')), { minLength: 1, maxLength: 3 }).map((alts) => alts.join('|'));
    const input = fc.stringMatching(/^[ab=1 \n]{0,12}$/);
    fc.assert(fc.property(pattern, input, (p, s) => agree(p, '', s)), { numRuns: 1500 });
  });

  it('reports syntax it does not model instead of guessing', () => {
    expect(() => compileRegex('\\p{L}', 'u')).toThrow(RegexUnsupportedError);
    expect(() => compileRegex('(?i:a)', '')).toThrow(RegexUnsupportedError);
  });
});

describe('step counts', () => {
  it('grow linearly for a linear pattern and super-linearly for the 2019 pattern', () => {
    const lin = compileRegex('^/api/v[0-9]+/users/[0-9]+$');
    const bad = compileRegex(REGEX_2019);
    const steps = (re: ReturnType<typeof compileRegex>, n: number): number => runRegex(re, `'${'\t'.repeat(n)}\n`, 1e9).steps;
    const linRatio = runRegex(lin, `/api/v1/users/${'1'.repeat(800)}x`, 1e9).steps / runRegex(lin, `/api/v1/users/${'1'.repeat(400)}x`, 1e9).steps;
    expect(linRatio).toBeLessThan(2.2);
    // recheck's attack for the 2019 pattern pumps "\t" after a quote: doubling the length multiplies steps ~8x (cubic).
    expect(steps(bad, 200) / steps(bad, 100)).toBeGreaterThan(6);
  });
  it('stops at the step budget', () => {
    const r = runRegex(compileRegex('^(a+)+$'), `${'a'.repeat(40)}!`, 100_000);
    expect(r).toEqual({ matched: false, steps: 100_000, exhausted: true });
  });
});
