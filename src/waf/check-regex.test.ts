import { describe, expect, it } from 'vitest';
import { checkDataFile } from '../artifacts/index.js';
import { REGEX_2019, checkWafRegex } from './index.js';

describe('checkWafRegex', () => {
  it('flags the 2019 regex as super-linear with an attack string', () => {
    const r = checkWafRegex(REGEX_2019, ['GET / HTTP/1.1']);
    expect(r.findings.map((f) => f.code)).toContain('waf_regex_superlinear');
    expect(r.complexity).not.toBe('linear');
    expect(r.modelledCpuShare).toBeGreaterThanOrEqual(1);
  });
  it('passes a linear pattern and warns on one RE2 cannot run', () => {
    const ok = checkWafRegex('^/api/v[0-9]+/users/[0-9]+$', ['/api/v1/users/1']);
    expect(ok.findings).toEqual([]);
    expect(ok.complexity).toBe('linear');
    expect(checkWafRegex('(a)\\1', ['aa']).findings.map((f) => f.code)).toContain('waf_regex_not_linear_engine');
    expect(checkWafRegex('(unclosed', []).findings.map((f) => f.code)).toEqual(['waf_regex_invalid']);
  });
});

describe('checkDataFile', () => {
  const file = (n: number, v = 'v2'): string => JSON.stringify({ version: v, features: Array.from({ length: n }, (_, i) => ({ name: `f${i}`, weight: 0.5 })) });
  it('holds a doubling and a file over the hard limit; passes a modest change', () => {
    expect(checkDataFile(file(130), file(120, 'v1'))).toEqual([]);
    expect(checkDataFile(file(240), file(120, 'v1')).map((f) => f.code).sort()).toEqual(['data_file_feature_limit', 'data_file_growth']);
    expect(checkDataFile(file(180), file(60, 'v1')).map((f) => f.code)).toEqual(['data_file_growth']);
  });
  it('reports schema problems and duplicates', () => {
    expect(checkDataFile('{"version":"v1","features":[{"name":"a"}]}', undefined)[0]?.code).toBe('data_file_schema');
    expect(checkDataFile('not json', undefined)[0]?.code).toBe('data_file_schema');
    expect(checkDataFile(JSON.stringify({ version: 'v', features: [{ name: 'a', weight: 1 }, { name: 'a', weight: 2 }] }), undefined).map((f) => f.code)).toEqual(['data_file_duplicate_feature']);
  });
});
