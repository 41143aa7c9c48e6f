import { describe, expect, it } from 'vitest';
import type { DeviceModel } from '../device-model.js';
import type { MitigationRule } from '../../rules/model.js';
import { compareVersions, findDeviceModel, findTriggeredAdvisories, parseDeviceModels, ruleMatchesTrigger, versionInRange } from './index.js';

describe('compareVersions', () => {
  it.each([
    ['15.1R7', '15.1R10', -1],
    ['15.1R10', '16.1R1', -1],
    ['12.3R2', '12.3R2', 0],
    ['12.3', '12.3R2', -1],
    ['6.5.3', '7.3.2', -1],
    ['7.10.1', '7.9.2', 1],
    ['4.28.3M', '4.22.0F', 1],
    ['15.1X53-D59', '15.1R1', 1], // letter runs compare alphabetically: X after R
  ])('%s vs %s', (a, b, sign) => {
    expect(compareVersions(a, b)).toBe(sign);
    expect(compareVersions(b, a)).toBe(-sign || 0);
  });

  it('treats an upper bound as covering its own builds', () => {
    expect(versionInRange('12.3R2.5', { max: '12.3R2' })).toBe(true);
    expect(versionInRange('12.3R3', { max: '12.3R2' })).toBe(false);
    expect(versionInRange('6.2.3', { min: '5.2.0', max: '6.2' })).toBe(true);
    expect(versionInRange('6.3.0', { min: '5.2.0', max: '6.2' })).toBe(false);
    expect(versionInRange('5.1.9', { min: '5.2.0' })).toBe(false);
    expect(versionInRange('anything', {})).toBe(true);
  });
});

const yamlOne = `
id: test-mx
vendor: juniper
models: [MX480]
osVersions: { min: "15.1R1" }
capabilities: { families: [ipv4], components: [destination, packetLengths], actions: [discard] }
limits: { maxRules: 10, tcamEntries: 100, memoryMiB: 64, memoryPerRuleKiB: 4 }
advisories:
  - id: ADV-1
    title: big lengths
    osVersions: { max: "16.1" }
    trigger: { kind: component-value-above, component: packetLengths, max: 65535 }
    effect: crash-reboot
hiddenAdvisories:
  - id: HIDDEN-1
    title: redirect misprogrammed
    osVersions: {}
    trigger: { kind: action, action: redirect }
    effect: misprogrammed
`;

function rule(over: Partial<MitigationRule>): MitigationRule {
  return { id: 'r', family: 'ipv4', match: { destination: '192.0.2.1/32' }, action: { kind: 'discard' }, scope: { kind: 'global' }, provenance: {}, ...over };
}

describe('parseDeviceModels', () => {
  it('parses a single profile with advisories', () => {
    const r = parseDeviceModels(yamlOne);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toHaveLength(1);
    expect(r.value[0]!.advisories[0]!.trigger).toEqual({ kind: 'component-value-above', component: 'packetLengths', max: 65535 });
    expect(r.value[0]!.hiddenAdvisories?.[0]?.id).toBe('HIDDEN-1');
  });

  it('parses a sequence of profiles and rejects duplicate ids', () => {
    const body = yamlOne.trim().split('\n').map((l) => '  ' + l).join('\n');
    const two = `- ${body.slice(2)}\n- ${body.slice(2)}\n`;
    const r = parseDeviceModels(two, 'two.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.map((f) => f.code)).toEqual(['device_model_duplicate_id']);
  });

  it('reports YAML syntax errors with a line', () => {
    const r = parseDeviceModels('id: [unclosed\nvendor: juniper\n', 'bad.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error[0]!.code).toBe('device_model_file_syntax');
      expect(r.error[0]!.line).toBeGreaterThan(0);
    }
  });

  it('reports schema errors with path and line', () => {
    const bad = yamlOne.replace('maxRules: 10', 'maxRules: -1').replace('components: [destination, packetLengths]', 'components: [destination, packetLenghts]');
    const r = parseDeviceModels(bad, 'x.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.every((f) => f.code === 'device_model_invalid')).toBe(true);
      const paths = r.error.map((f) => f.component);
      expect(paths).toContain('limits.maxRules');
      expect(paths).toContain('capabilities.components.1');
      expect(r.error.find((f) => f.component === 'limits.maxRules')!.line).toBe(7);
    }
  });

  it('insists on quoted OS versions', () => {
    const r = parseDeviceModels(yamlOne.replace('min: "15.1R1"', 'min: 15.1'), 'x.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error[0]!.message).toContain('quoted');
  });
});

describe('findDeviceModel and advisories', () => {
  const r = parseDeviceModels(yamlOne);
  const models = r.ok ? r.value : [];
  const model = models[0] as DeviceModel;

  it('matches vendor, platform (any case) and version', () => {
    expect(findDeviceModel(models, { vendor: 'juniper', model: 'mx480', osVersion: '15.1R7' })?.id).toBe('test-mx');
    expect(findDeviceModel(models, { vendor: 'juniper', model: 'MX480', osVersion: '14.2R1' })).toBeUndefined();
    expect(findDeviceModel(models, { vendor: 'cisco', model: 'MX480', osVersion: '15.1R7' })).toBeUndefined();
    expect(findDeviceModel(models, { vendor: 'juniper', model: 'MX960', osVersion: '15.1R7' })).toBeUndefined();
  });

  it('triggers on the affected OS only, and hidden advisories only on request', () => {
    const big = rule({ match: { destination: '192.0.2.1/32', packetLengths: [{ min: 99971, max: 99985 }] } });
    expect(findTriggeredAdvisories(model, { osVersion: '15.1R7' }, big).map((a) => a.id)).toEqual(['ADV-1']);
    expect(findTriggeredAdvisories(model, { osVersion: '17.1R1' }, big)).toEqual([]);
    const redirect = rule({ action: { kind: 'redirect', target: '65000:1' } });
    expect(findTriggeredAdvisories(model, { osVersion: '17.1R1' }, redirect)).toEqual([]);
    expect(findTriggeredAdvisories(model, { osVersion: '17.1R1' }, redirect, { includeHidden: true }).map((a) => a.id)).toEqual(['HIDDEN-1']);
  });

  it('evaluates each trigger kind', () => {
    const r2 = rule({ match: { destination: '192.0.2.1/32', ports: [{ min: 1, max: 1 }, { min: 2, max: 2 }, { min: 3, max: 3 }] } });
    expect(ruleMatchesTrigger(r2, { kind: 'component-present', component: 'ports' })).toBe(true);
    expect(ruleMatchesTrigger(r2, { kind: 'component-present', component: 'fragment' })).toBe(false);
    expect(ruleMatchesTrigger(r2, { kind: 'range-count-above', component: 'ports', count: 2 })).toBe(true);
    expect(ruleMatchesTrigger(r2, { kind: 'range-count-above', component: 'ports', count: 3 })).toBe(false);
    expect(ruleMatchesTrigger(r2, { kind: 'component-value-above', component: 'ports', max: 2 })).toBe(true);
    expect(ruleMatchesTrigger(r2, { kind: 'component-value-above', component: 'ports', max: 3 })).toBe(false);
    expect(ruleMatchesTrigger(r2, { kind: 'action', action: 'discard' })).toBe(true);
  });
});
