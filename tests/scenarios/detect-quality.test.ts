// Labelled synthetic scenarios through detector + profiler, scored against the labels.
import { describe, expect, it } from 'vitest';
import { validateRules } from '../../src/rules/index.js';
import { proposeRule } from '../../src/detect/index.js';
import { MTU, runScenario } from './detect-support.js';

describe('detection quality on labelled scenarios (1:1000 sampling)', () => {
  it('detects DNS amplification within 2 s with coverage >= 0.9 and collateral <= 0.01', () => {
    const r = runScenario('dns-amplification', 11);
    expect(r.outcome?.detected?.type).toBe('dns-amplification');
    expect(r.outcome?.latencyMs).toBeLessThanOrEqual(2000);
    expect(r.outcome!.signature!.coverage).toBeGreaterThanOrEqual(0.9);
    expect(r.outcome!.signature!.collateral).toBeLessThanOrEqual(0.01);
    expect(r.outcome?.trueCoverage).toBeGreaterThanOrEqual(0.9);
    expect(r.outcome?.trueCollateral).toBeLessThanOrEqual(0.01);
    expect(r.outcome!.signature!.match.protocols).toEqual([{ min: 17, max: 17 }]);
    expect(r.outcome!.signature!.match.sourcePorts).toEqual([{ min: 53, max: 53 }]);
    expect(r.falseAlarms).toEqual([]);
  });

  it.each([
    ['ntp-amplification', 'ntp-amplification'],
    ['memcached', 'memcached-amplification'],
    ['ssdp', 'ssdp-amplification'],
    ['syn-flood', 'syn-flood'],
    ['udp-flood', 'udp-flood'],
    ['carpet-bombing', 'carpet-bombing'],
    ['fragments', 'fragment-flood'],
  ] as const)('detects %s as %s within 2 s without false alarms', (scenario, type) => {
    const r = runScenario(scenario, 5);
    expect(r.outcome?.detected?.type).toBe(type);
    expect(r.outcome?.latencyMs).toBeLessThanOrEqual(2000);
    expect(r.outcome?.trueCoverage).toBeGreaterThanOrEqual(0.9);
    expect(r.falseAlarms).toEqual([]);
    // measured collateral tracks the labelled truth (the profiler never sees labels)
    expect(Math.abs(r.outcome!.signature!.collateral - r.outcome!.trueCollateral!)).toBeLessThan(0.05);
  });

  it('raises no alarm on background traffic alone', () => {
    expect(runScenario('none', 3).attacks).toEqual([]);
  });

  it('does not detect an attack below the threshold', () => {
    expect(runScenario('dns-amplification', 4, { attackPps: 50_000 }).outcome?.detected).toBeUndefined();
  });

  it('proposes a rule that passes the validator for the attacked PoPs', () => {
    const r = runScenario('dns-amplification', 11);
    const rule = proposeRule(r.outcome!.detected!, r.outcome?.signature!, { nowMs: r.outcome!.detected!.detectedMs });
    expect(rule.scope).toEqual({ kind: 'pops', pops: ['ams1', 'fra1'] });
    expect(rule.action.kind).toBe('discard');
    const findings = validateRules([rule], { nowMs: r.outcome!.detected!.detectedMs, network: { name: 't', ownedPrefixes: ['173.245.48.0/20'], mtuBytes: MTU, pops: ['ams1', 'fra1', 'lhr1', 'sjc1'].map((id) => ({ id, region: 'eu', anycastPrefixes: [], routers: [] })) } });
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('rate-limits instead of discarding when collateral is high (SYN flood hits real SYNs)', () => {
    const r = runScenario('syn-flood', 5);
    expect(r.outcome!.signature!.collateral).toBeGreaterThan(0.01);
    expect(proposeRule(r.outcome!.detected!, r.outcome?.signature!, { nowMs: 0 }).action.kind).toBe('rate-limit-bytes');
  });
});
