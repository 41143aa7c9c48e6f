import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findDeviceModel } from '../device-models/index.js';
import { DeviceModelLoadError, loadDeviceModels, loadDeviceModelsSync } from './device-model-files.js';

const tmp = mkdtempSync(join(tmpdir(), 'failsmall-dm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('shipped device models (data/device-models)', () => {
  const models = loadDeviceModelsSync();

  it('holds the profiles the validator and simulator rely on', () => {
    expect(models.map((m) => m.id).sort()).toEqual(['arista-7280r-eos', 'cisco-asr9k-iosxr', 'cisco-asr9k-iosxr-legacy', 'juniper-mx-junos', 'juniper-mx-junos-legacy', 'linux-nftables']);
  });

  it('models the 2013 Junos defect on the legacy train only', () => {
    const legacy = findDeviceModel(models, { vendor: 'juniper', model: 'MX960', osVersion: '12.3R1.7' });
    expect(legacy?.id).toBe('juniper-mx-junos-legacy');
    expect(legacy?.advisories[0]).toMatchObject({ trigger: { kind: 'component-value-above', component: 'packetLengths', max: 65535 }, effect: 'memory-exhaustion' });
    const current = findDeviceModel(models, { vendor: 'juniper', model: 'MX960', osVersion: '21.4R3' });
    expect(current?.id).toBe('juniper-mx-junos');
    expect(current?.advisories).toEqual([]);
  });

  it('gives ASR 9000 3,000 rules and 5 ranges per rule, flow label only on current IOS XR', () => {
    const old = findDeviceModel(models, { vendor: 'cisco', model: 'ASR9006', osVersion: '6.1.4' })!;
    const cur = findDeviceModel(models, { vendor: 'cisco', model: 'ASR9006', osVersion: '7.3.2' })!;
    for (const m of [old, cur]) expect(m.limits).toMatchObject({ maxRules: 3000, maxRangesPerRule: 5 });
    expect(old.capabilities.components).not.toContain('flowLabel');
    expect(cur.capabilities.components).toContain('flowLabel');
  });

  it('async and sync loaders agree', async () => {
    expect(await loadDeviceModels()).toEqual(models);
  });
});

describe('loadDeviceModels errors', () => {
  it('names the file and line of a bad profile', () => {
    const dir = mkdtempSync(join(tmp, 'bad-'));
    writeFileSync(join(dir, 'a.yaml'), 'id: a\nvendor: juniper\nmodels: [MX]\nosVersions: {}\ncapabilities: { families: [ipv4], components: [], actions: [] }\nlimits: { maxRules: x, tcamEntries: 1, memoryMiB: 1, memoryPerRuleKiB: 1 }\n');
    try {
      loadDeviceModelsSync(dir);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DeviceModelLoadError);
      const f = (e as DeviceModelLoadError).findings[0]!;
      expect(f.code).toBe('device_model_invalid');
      expect(f.message).toMatch(/^a\.yaml:6: limits\.maxRules/);
    }
  });

  it('rejects the same id in two files', () => {
    const dir = mkdtempSync(join(tmp, 'dup-'));
    const body = 'id: same\nvendor: linux\nmodels: [linux-nftables]\nosVersions: {}\ncapabilities: { families: [ipv4], components: [], actions: [] }\nlimits: { maxRules: 1, tcamEntries: 1, memoryMiB: 1, memoryPerRuleKiB: 1 }\n';
    writeFileSync(join(dir, 'a.yaml'), body);
    writeFileSync(join(dir, 'b.yml'), body);
    expect(() => loadDeviceModelsSync(dir)).toThrow(/defined in more than one file/);
  });

  it('throws with a cause for a missing folder', async () => {
    await expect(loadDeviceModels(join(tmp, 'nope'))).rejects.toMatchObject({ name: 'DeviceModelLoadError', cause: expect.anything() });
  });
});
