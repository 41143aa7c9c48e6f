import { describe, expect, it } from 'vitest';
import { REGEX_2019, checkWafRegex, sampleRequestCorpus } from './index.js';

const corpus = sampleRequestCorpus(1, 48);

describe('checkWafRegex', () => {
  it('flags the 2019 Cloudflare regex: super-linear with an attack string, confirmed by measured growth and corpus cost', () => {
    const r = checkWafRegex(REGEX_2019, corpus, { ruleId: 'waf-100035' });
    const codes = r.findings.map((f) => f.code);
    expect(codes).toContain('waf_regex_superlinear');
    expect(codes).toContain('waf_regex_slow_on_corpus');
    expect(r.complexity).toBe('polynomial');
    expect(r.degree).toBeGreaterThanOrEqual(2);
    expect(r.attack).toMatch(/repeat\(\d+\)/);
    // Pumping recheck's attack through the step-counting VM: doubling the length multiplies the steps by 2^d, d > 1.5.
    expect(r.attackGrowth?.measuredDegree).toBeGreaterThan(1.5);
    expect(r.cost!.exhausted).toBeGreaterThan(0);
    expect(r.cost!.cpuMicrosPerRequest).toBeGreaterThan(500); // vs ~0.1 µs for a linear rule
    const f = r.findings.find((x) => x.code === 'waf_regex_superlinear')!;
    expect(f.rule).toBe('waf-100035');
    expect(f.message).toMatch(/measured steps/);
  });

  it('passes a linear WAF pattern with a small measured cost', () => {
    const r = checkWafRegex(String.raw`union\s+(?:all\s+)?select`, corpus, { flags: 'i' });
    expect(r.findings).toEqual([]);
    expect(r.complexity).toBe('linear');
    expect(r.re2Compatible).toBe(true);
    expect(r.cost!.meanSteps).toBeLessThan(1000);
    expect(r.cost!.exhausted).toBe(0);
  });

  it('flags an exponential pattern and warns on one RE2 cannot run', () => {
    const exp = checkWafRegex('^(a+)+$', corpus);
    expect(exp.complexity).toBe('exponential');
    expect(exp.findings.map((f) => f.code)).toContain('waf_regex_superlinear');
    const backref = checkWafRegex(String.raw`(['"])\w+\1`, corpus);
    expect(backref.findings.map((f) => f.code)).toContain('waf_regex_not_linear_engine');
    expect(backref.re2Compatible).toBe(false);
  });

  it('reports a pattern that does not compile, and syntax the cost model cannot run', () => {
    expect(checkWafRegex('(unclosed', corpus).findings.map((f) => f.code)).toEqual(['waf_regex_invalid']);
    expect(checkWafRegex(String.raw`\p{Lu}+`, corpus, { flags: 'u' }).findings.map((f) => f.code)).toContain('waf_regex_cost_unmeasured');
  });
});
