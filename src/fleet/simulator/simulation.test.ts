import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../lib/clock.js';
import type { MitigationRule } from '../../rules/model.js';
import type { DeviceModel } from '../device-model.js';
import { generateNetwork } from '../generate-network.js';
import { loadDeviceModelsSync } from '../io/device-model-files.js';
import type { NetworkDescription, Pop } from '../network.js';
import { REGEX_2019 } from '../../waf/index.js';
import { FleetSimulation, SimulationTarget, countFeatures, measureWafCpuShare, tcamEntriesFor } from './index.js';

let models: DeviceModel[];
beforeAll(() => {
  models = loadDeviceModelsSync();
});

const MIN = 60_000;
const rule = (id: string, match: MitigationRule['match']): MitigationRule => ({ id, family: 'ipv4', match: { destination: '173.245.53.0/24', ...match }, action: { kind: 'discard' }, scope: { kind: 'global' }, provenance: {} });
const BAD_2013 = rule('bad', { packetLengths: [{ min: 99971, max: 99971 }, { min: 99985, max: 99985 }] });
const GOOD = rule('good', { protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: 53, max: 53 }] });
const HIDDEN = rule('frag', { fragment: [[{ op: 'all', bits: 0x02 }]] });

function pop(id: string, lat: number, lon: number, capacityTbps: number, osVersion: string, routers = 2): Pop {
  return {
    id,
    region: 'eu',
    location: { lat, lon },
    anycastPrefixes: ['173.245.48.0/20'],
    capacityBps: capacityTbps * 1e12,
    routers: Array.from({ length: routers }, (_, i) => ({ id: `${id}-r${i + 1}`, vendor: 'juniper' as const, model: 'MX480', osVersion })),
  };
}
const net = (pops: Pop[]): NetworkDescription => ({ name: 't', ownedPrefixes: ['173.245.48.0/20'], mtuBytes: 4470, pops });

describe('FleetSimulation: device defects', () => {
  it('memory exhaustion crashes a legacy router; it reboots, re-receives the rule and crashes again (the 2013 loop)', () => {
    const sim = new FleetSimulation(net([pop('ams', 52.3, 4.8, 4, '11.4R7', 1), pop('fra', 50.1, 8.7, 4, '21.4R3')]), models, { seed: 7, startMs: 0, rebootMs: 5 * MIN, noRebootShare: 0 });
    sim.apply('ams', { kind: 'flowspec', add: [BAD_2013], withdraw: [] });
    expect(sim.popHealth('ams').routers[0]!.up).toBe(false);
    sim.advance(5 * MIN); // reboots, receives the still-announced rule, crashes again
    expect(sim.popHealth('ams').routers[0]!.crashes).toBe(2);
    sim.advance(21 * MIN);
    expect(sim.popHealth('ams').routers[0]!.crashes).toBe(5);
    sim.revert('ams', { kind: 'flowspec', add: [BAD_2013], withdraw: [] });
    sim.advance(30 * MIN); // withdrawn: the next reboot sticks
    const h = sim.popHealth('ams');
    expect(h.routers[0]!.up).toBe(true);
    expect(h.routers[0]!.installedRuleIds).toEqual([]);
    // the same rule is harmless on the current Junos at fra
    sim.apply('fra', { kind: 'flowspec', add: [BAD_2013], withdraw: [] });
    expect(sim.popHealth('fra').routers.every((r) => r.up && r.installedRuleIds.includes('bad'))).toBe(true);
  });

  it('a seeded share of crashed routers never reboots; the share is reproducible for a seed', () => {
    const network = generateNetwork({ seed: 1, pops: 10, routersPerPop: 4, mix: [['juniper', 'MX480', '11.4R7', 1]] });
    const run = (seed: number): number => {
      const sim = new FleetSimulation(network, models, { seed, startMs: 0, noRebootShare: 0.3 });
      for (const p of network.pops) sim.apply(p.id, { kind: 'flowspec', add: [BAD_2013], withdraw: [] });
      sim.advance(60 * MIN);
      for (const p of network.pops) sim.revert(p.id, { kind: 'flowspec', add: [BAD_2013], withdraw: [] });
      sim.advance(120 * MIN);
      return sim.summary().routersDead;
    };
    const dead = run(3);
    expect(dead).toBeGreaterThan(0);
    expect(dead).toBeLessThan(40);
    expect(run(3)).toBe(dead);
    const sim = new FleetSimulation(network, models, { seed: 3, startMs: 0, noRebootShare: 1 });
    sim.apply(network.pops[0]!.id, { kind: 'flowspec', add: [BAD_2013], withdraw: [] });
    sim.advance(600 * MIN);
    expect(sim.popHealth(network.pops[0]!.id).routers.every((r) => !r.up && r.crashes === 1)).toBe(true);
    expect(sim.events().some((e) => e.kind === 'router-dead')).toBe(true);
  });

  it('a hidden advisory crashes the router although the validator cannot see it; a benign rule installs', () => {
    const sim = new FleetSimulation(net([pop('ams', 52.3, 4.8, 4, '21.4R3')]), models, { seed: 1, startMs: 0 });
    sim.apply('ams', { kind: 'flowspec', add: [GOOD], withdraw: [] });
    expect(sim.installedAt('ams')).toEqual(['good']);
    expect(sim.popHealth('ams').droppedVsExpected).toBe(1);
    sim.apply('ams', { kind: 'flowspec', add: [HIDDEN], withdraw: [] });
    expect(sim.popHealth('ams').routers.every((r) => !r.up && r.crashes === 1)).toBe(true);
    expect(sim.popHealth('ams').trafficFailing).toBe(1);
  });

  it('counts TCAM entries after range expansion and refuses rules past the limit', () => {
    expect(tcamEntriesFor(GOOD)).toBe(1);
    const wide = rule('wide', { destinationPorts: Array.from({ length: 100 }, (_, i) => ({ min: 2 * i, max: 2 * i })), packetLengths: Array.from({ length: 100 }, (_, i) => ({ min: 100 + 2 * i, max: 100 + 2 * i })) });
    expect(tcamEntriesFor(wide)).toBe(10_000);
    // current Junos: 64,000 terms. Seven such rules fit, the eighth is refused (not installed, router stays up).
    const sim = new FleetSimulation(net([pop('ams', 52.3, 4.8, 4, '21.4R3', 1)]), models, { seed: 1, startMs: 0 });
    const rules = Array.from({ length: 8 }, (_, i) => ({ ...wide, id: `wide-${i}` }));
    sim.apply('ams', { kind: 'flowspec', add: rules, withdraw: [] });
    const h = sim.popHealth('ams');
    expect(h.routers[0]!.up).toBe(true);
    expect(h.routers[0]!.installedRuleIds).toHaveLength(6);
    expect(h.droppedVsExpected).toBeCloseTo(6 / 8);
    sim.apply('ams', { kind: 'flowspec', add: [], withdraw: ['wide-0'] });
    sim.apply('ams', { kind: 'flowspec', add: [{ ...wide, id: 'wide-again' }], withdraw: [] });
    expect(sim.popHealth('ams').routers[0]!.installedRuleIds).toContain('wide-again');
  });

  it('installing rules costs memory; past the device memory the router crashes', () => {
    // a small box: 1 MiB for filters, 64 KiB per rule, half used at rest -> the 9th rule is too many
    const legacy = models.find((m) => m.id === 'juniper-mx-junos-legacy')!;
    const small: DeviceModel = { ...legacy, id: 'small-box', limits: { ...legacy.limits, memoryMiB: 1, memoryPerRuleKiB: 64, baselineMemory: 0.5 } };
    const many = Array.from({ length: 9 }, (_, i) => rule(`r${i}`, { destination: `173.245.53.${i}/32` }));
    const sim = new FleetSimulation(net([pop('ams', 52.3, 4.8, 4, '11.4R7', 1)]), [small], { seed: 1, startMs: 0 });
    sim.apply('ams', { kind: 'flowspec', add: many.slice(0, 4), withdraw: [] });
    expect(sim.popHealth('ams').routers[0]!.memory).toBeCloseTo(0.75);
    sim.apply('ams', { kind: 'flowspec', add: many.slice(4, 8), withdraw: [] });
    expect(sim.popHealth('ams').routers[0]!.up).toBe(true);
    sim.apply('ams', { kind: 'flowspec', add: many.slice(8), withdraw: [] });
    expect(sim.popHealth('ams').routers[0]!.up).toBe(false);
    expect(sim.events().some((e) => e.kind === 'router-crash' && /out of memory/.test(e.detail ?? ''))).toBe(true);
  });
});

describe('FleetSimulation: anycast shift and cascade', () => {
  it('a dark PoP sheds its traffic to the nearest live PoPs; with room nothing fails', () => {
    const sim = new FleetSimulation(net([pop('ams', 52.3, 4.8, 2, '21.4R3'), pop('fra', 50.1, 8.7, 4, '21.4R3'), pop('lhr', 51.5, -0.1, 4, '21.4R3'), pop('sin', 1.35, 103.8, 4, '21.4R3')]), models, { seed: 1, startMs: 0, utilisation: 0.5 });
    sim.apply('ams', { kind: 'flowspec', add: [HIDDEN], withdraw: [] });
    expect(sim.pops.get('fra')!.loadBps).toBe(2e12 + 0.5e12);
    expect(sim.pops.get('lhr')!.loadBps).toBe(2e12 + 0.5e12);
    expect(sim.pops.get('sin')!.loadBps).toBe(2e12);
    expect(sim.summary().popsImpacted).toEqual(['ams']);
    expect(sim.summary().popsCollapsed).toEqual([]);
    expect(sim.failingShare()).toBe(0);
  });

  it('a PoP pushed far past capacity falls over too, and the failure cascades', () => {
    // a big PoP next to small ones: when it goes dark its neighbours collapse, then theirs
    const sim = new FleetSimulation(
      net([pop('big', 50, 8, 10, '21.4R3'), pop('a', 50.5, 8, 1, '11.4R7'), pop('b', 49.5, 8, 1, '11.4R7'), pop('c', 51.5, 8, 2, '11.4R7'), pop('far', 1.3, 103, 20, '11.4R7')]),
      models,
      { seed: 1, startMs: 0, utilisation: 0.5, collapseFactor: 1.5, rebootMs: 10 * MIN },
    );
    sim.apply('big', { kind: 'flowspec', add: [HIDDEN], withdraw: [] });
    const s = sim.summary();
    expect(s.popsCollapsed).toEqual(expect.arrayContaining(['a', 'b']));
    expect(s.popsImpacted.length).toBeGreaterThanOrEqual(4);
    expect(s.peakFailingShare).toBeGreaterThan(0);
    expect(sim.events().filter((e) => e.kind === 'pop-overload').length).toBeGreaterThanOrEqual(2);
  });

  it('proxies: a saturating WAF regex set and an oversized feature file make the PoP answer errors; revert restores', () => {
    const sim = new FleetSimulation(net([pop('ams', 52.3, 4.8, 4, '21.4R3'), pop('fra', 50.1, 8.7, 4, '21.4R3')]), models, { seed: 1, startMs: 0, featureLimit: 200, wafCpuCost: (p) => (p.includes('(a+)+$') ? 10 : 0.02) });
    const waf = { kind: 'waf-regex' as const, rules: [{ id: 'w1', pattern: '(a+)+$' }] };
    sim.apply('ams', waf);
    expect(sim.popHealth('ams').httpErrorRate).toBe(1);
    expect(sim.pops.get('ams')!.proxyCpu).toBe(10);
    expect(sim.popHealth('fra').httpErrorRate).toBe(0);
    sim.revert('ams', waf);
    expect(sim.popHealth('ams').httpErrorRate).toBe(0);
    const file = (n: number): string => JSON.stringify({ version: `v${n}`, features: Array.from({ length: n }, (_, i) => ({ name: `f${i}`, weight: 1 })) });
    expect(countFeatures(file(240))).toBe(240);
    expect(countFeatures('a\nb\n\nc\n')).toBe(3);
    sim.apply('fra', { kind: 'data-file', name: 'f', version: 'v1', content: file(150) });
    expect(sim.popHealth('fra').httpErrorRate).toBe(0);
    const big = { kind: 'data-file' as const, name: 'f', version: 'v2', content: file(240) };
    sim.apply('fra', big);
    expect(sim.popHealth('fra').httpErrorRate).toBe(1);
    expect(sim.failingShare()).toBeCloseTo(0.5);
    sim.revert('fra', big);
    expect(sim.popHealth('fra').httpErrorRate).toBe(0);
  });
});

describe('FleetSimulation: WAF cost from the WAF checker', () => {
  it('by default measures the regex set on sample requests: the 2019 regex saturates the proxies, a linear one does not', () => {
    const sim = new FleetSimulation(net([pop('ams', 52.3, 4.8, 4, '21.4R3'), pop('fra', 50.1, 8.7, 4, '21.4R3')]), models, { seed: 1, startMs: 0 });
    sim.apply('fra', { kind: 'waf-regex', rules: [{ id: 'ok', pattern: '(?:union\\s+select|<script)' }] });
    expect(sim.pops.get('fra')!.proxyCpu).toBeLessThan(0.05);
    expect(sim.popHealth('fra').httpErrorRate).toBe(0);
    sim.apply('ams', { kind: 'waf-regex', rules: [{ id: 'waf-100035', pattern: REGEX_2019 }] });
    expect(sim.pops.get('ams')!.proxyCpu).toBeGreaterThan(1);
    expect(sim.popHealth('ams').httpErrorRate).toBeGreaterThan(0.5);
    expect(measureWafCpuShare(['(a'], ['x'])).toBe(0); // does not compile: costs nothing here, the WAF check rejects it
  });
});

describe('SimulationTarget', () => {
  it('drives the simulation as an EnforcementTarget with explicit time', async () => {
    const clock = new ManualClock(1000);
    const sim = new FleetSimulation(net([pop('ams', 52.3, 4.8, 4, '11.4R7', 1)]), models, { seed: 1, startMs: 1000, rebootMs: MIN, noRebootShare: 0 });
    const target = new SimulationTarget(sim, clock);
    await target.apply('ams', { kind: 'flowspec', add: [GOOD, BAD_2013], withdraw: [] });
    expect(await target.installed('ams')).toEqual(['bad', 'good']);
    expect((await target.health('ams')).routers[0]!.up).toBe(false);
    await target.revert('ams', { kind: 'flowspec', add: [BAD_2013], withdraw: [] });
    target.advance(MIN);
    expect(clock.nowMs()).toBe(1000 + MIN);
    const h = await target.health('ams');
    expect(h.atMs).toBe(1000 + MIN);
    expect(h.routers[0]!.up).toBe(true);
    expect(h.routers[0]!.installedRuleIds).toEqual(['good']); // re-received what is still announced
    expect(() => target.advance(-1)).toThrow(expect.objectContaining({ code: 'fleet_time_backwards' }));
    await expect(target.health('nowhere')).rejects.toMatchObject({ code: 'fleet_unknown_pop' });
  });
});
