import { describe, expect, it } from 'vitest';
import type { NetworkDescription } from '../fleet/network.js';
import { REGEX_2019, sampleRequestCorpus } from '../waf/index.js';
import { checkArtifact, checkDataFile, passesChecks } from './index.js';

const file = (n: number, version = 'v2', dupEvery = 0): string =>
  JSON.stringify({ version, features: Array.from({ length: n }, (_, i) => ({ name: `f${dupEvery > 0 ? i % dupEvery : i}`, weight: 0.5 })) });
const codes = (fs: ReadonlyArray<{ code: string }>): string[] => fs.map((f) => f.code).sort();

describe('checkDataFile', () => {
  it('passes a modest change and holds the 2025 file: doubled by duplicate rows, past the 200-feature limit', () => {
    expect(checkDataFile(file(130), file(120, 'v1'))).toEqual([]);
    // The 2025 shape: every one of 120 features twice.
    const doubled = JSON.stringify({ version: 'v42', features: [...JSON.parse(file(120)).features, ...JSON.parse(file(120)).features] });
    const f = checkDataFile(doubled, file(120, 'v41'));
    expect(codes(f)).toEqual(['data_file_duplicate_feature', 'data_file_feature_limit', 'data_file_growth']);
    const growth = f.find((x) => x.code === 'data_file_growth')!;
    expect(growth.actual).toBeGreaterThanOrEqual(2);
    expect(growth.message).toMatch(/120 -> 240 features/);
    expect(f.find((x) => x.code === 'data_file_feature_limit')).toMatchObject({ expected: 200, actual: 240 });
  });

  it('holds growth under the hard limit too, and judges bytes as well as rows', () => {
    expect(codes(checkDataFile(file(180), file(60, 'v1')))).toEqual(['data_file_growth']);
    const fat = JSON.stringify({ version: 'v2', features: Array.from({ length: 60 }, (_, i) => ({ name: `f${i}-${'x'.repeat(200)}`, weight: 0.5 })) });
    expect(codes(checkDataFile(fat, file(60, 'v1')))).toEqual(['data_file_growth']);
    expect(codes(checkDataFile(fat, file(60, 'v1'), { maxFeatures: 200, maxBytes: 5000, maxGrowthRatio: 100 }))).toEqual(['data_file_size_limit']);
  });

  it('boundaries: exactly at the limits passes; one over fails', () => {
    const limits = { maxFeatures: 200, maxBytes: 1e6, maxGrowthRatio: 2 };
    expect(checkDataFile(file(200), file(100, 'v1'), limits).filter((f) => f.code !== 'data_file_growth')).toEqual([]);
    expect(codes(checkDataFile(file(201), undefined, limits))).toEqual(['data_file_feature_limit']);
  });

  it('reports schema problems, an unreadable shipped version and a sharp shrink', () => {
    expect(codes(checkDataFile('{"version":"v1","features":[{"name":"a"}]}', undefined))).toEqual(['data_file_schema']);
    expect(checkDataFile('{"version":"v1","features":[{"name":"a"}]}', undefined)[0]!.component).toBe('features.0.weight');
    expect(codes(checkDataFile('not json', undefined))).toEqual(['data_file_schema']);
    expect(codes(checkDataFile(JSON.stringify({ version: 'v', features: [{ name: 'a', weight: Number.NaN }] }), undefined))).toEqual(['data_file_schema']);
    expect(codes(checkDataFile(file(10), 'garbage'))).toEqual(['data_file_previous_unreadable']);
    const shrink = checkDataFile(file(10), file(100, 'v1'));
    expect(shrink.map((f) => [f.code, f.severity])).toEqual([['data_file_shrink', 'warning']]);
    expect(passesChecks(shrink)).toBe(true);
  });
});

describe('checkArtifact: every change kind through one gate', () => {
  const network: NetworkDescription = { name: 'n', ownedPrefixes: ['173.245.48.0/20'], mtuBytes: 4470, pops: [{ id: 'ams1', region: 'eu', anycastPrefixes: ['173.245.48.0/20'], routers: [{ id: 'ams1-r1', vendor: 'juniper', model: 'MX480', osVersion: '21.4R3' }] }] };
  const validation = { network, nowMs: Date.parse('2026-01-01T00:00:00Z') };

  it('flowspec goes to the rule validator (the 2013 rule is rejected)', () => {
    const f = checkArtifact(
      { kind: 'flowspec', add: [{ id: 'r2013', family: 'ipv4', match: { destination: '173.245.53.0/24', packetLengths: [{ min: 99971, max: 99985 }] }, action: { kind: 'discard' }, scope: { kind: 'pops', pops: ['ams1'] }, expiresAt: '2026-01-01T01:00:00Z', provenance: {} }], withdraw: [] },
      { validation },
    );
    expect(passesChecks(f)).toBe(false);
    expect(f.map((x) => x.code)).toContain('validate_packet_length_unreachable');
  });

  it('WAF rules go to the regex checks, each finding naming its rule; duplicate ids are caught', () => {
    const corpus = sampleRequestCorpus(3, 24);
    const f = checkArtifact({ kind: 'waf-regex', rules: [{ id: 'ok', pattern: String.raw`union\s+select` }, { id: 'bad', pattern: REGEX_2019 }, { id: 'ok', pattern: 'x' }] }, { validation, wafCorpus: corpus });
    expect(f.filter((x) => x.rule === 'ok').map((x) => x.code)).toEqual(['waf_rule_duplicate_id']);
    expect(f.filter((x) => x.rule === 'bad').map((x) => x.code)).toEqual(expect.arrayContaining(['waf_regex_superlinear', 'waf_regex_slow_on_corpus']));
  });

  it('data files go to the data-file checks against the shipped version', () => {
    const f = checkArtifact({ kind: 'data-file', name: 'bot-features.json', version: 'v42', content: file(240) }, { validation, previousDataFile: file(120, 'v41') });
    expect(codes(f)).toEqual(['data_file_feature_limit', 'data_file_growth']);
    expect(f.every((x) => x.rule === 'bot-features.json@v42')).toBe(true);
    expect(checkArtifact({ kind: 'data-file', name: 'bot-features.json', version: 'v43', content: file(125) }, { validation, previousDataFile: file(120, 'v42') })).toEqual([]);
  });
});
