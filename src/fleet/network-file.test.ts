import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNetworkFile } from './network-file.js';

const example = readFileSync(new URL('../../tests/fixtures/network/example.yaml', import.meta.url), 'utf8');

const minimal = (pops: string, head = 'name: n\nmtu-bytes: 4470\nowned-prefixes: [173.245.48.0/20, 2400:cb00::/32]\n'): string => `${head}pops:\n${pops}`;
const pop = (id: string, extra = '', routers = `[{id: ${id}-r1, vendor: juniper, model: MX480, os-version: 21.4R3}]`): string =>
  `  - id: ${id}\n    region: eu\n    anycast-prefixes: [173.245.48.0/20]\n    routers: ${routers}\n${extra}`;

describe('parseNetworkFile', () => {
  it('reads the example network: 8 PoPs, 4 regions, MTU 4470, mixed vendors', () => {
    const r = parseNetworkFile(example);
    expect(r.findings).toEqual([]);
    const n = r.network!;
    expect(n).toMatchObject({ name: 'example-anycast', asn: 64500, mtuBytes: 4470, ownedPrefixes: ['173.245.48.0/20', '2400:cb00::/32'] });
    expect(n.pops).toHaveLength(8);
    expect(new Set(n.pops.map((p) => p.region))).toEqual(new Set(['eu', 'na', 'apac', 'sa']));
    const routers = n.pops.flatMap((p) => p.routers);
    expect(new Set(routers.map((r) => r.vendor))).toEqual(new Set(['juniper', 'cisco', 'arista', 'linux']));
    expect(routers.filter((r) => r.model.startsWith('MX') && r.osVersion.startsWith('11.')).map((r) => r.id)).toEqual(['ams1-edge1', 'sjc1-edge1']);
    expect(routers.find((r) => r.id === 'gru1-host1')).toEqual({ id: 'gru1-host1', vendor: 'linux', model: 'linux-nftables', osVersion: '6.1', address: '203.0.113.31', asn: 64500 });
    expect(n.pops.find((p) => p.id === 'gru1')).toMatchObject({ mtuBytes: 1500, capacityBps: 1e12, location: { lat: -23.55, lon: -46.63 } });
  });

  it('accepts camelCase keys and a numeric OS version', () => {
    const r = parseNetworkFile('name: n\nmtuBytes: 1500\nownedPrefixes: [198.51.100.0/24]\npops:\n  - {id: p1, region: r, anycastPrefixes: [198.51.100.0/24], routers: [{id: r1, vendor: arista, model: 7280R3, osVersion: 4.28}]}\n');
    expect(r.findings).toEqual([]);
    expect(r.network!.pops[0]!.routers[0]!.osVersion).toBe('4.28');
  });

  it.each([
    ['duplicate PoP id', minimal(pop('ams1') + pop('ams1', '', '[{id: other, vendor: cisco, model: ASR9000, os-version: 7.3.2}]')), 'network_duplicate_id', 'pops[1].id', 9],
    ['duplicate router id', minimal(pop('ams1') + pop('fra1', '', '[{id: ams1-r1, vendor: cisco, model: ASR9000, os-version: 7.3.2}]')), 'network_duplicate_id', 'pops[1].routers[0].id', 12],
    ['host bits in an owned prefix', 'name: n\nmtu-bytes: 4470\nowned-prefixes: [173.245.48.1/20]\npops: []\n', 'prefix_host_bits_set', 'owned-prefixes[0]', 3],
    ['not a prefix', minimal(pop('ams1').replace('173.245.48.0/20', '173.245.300.0/24')), 'prefix_invalid', 'pops[0].anycast-prefixes[0]', 7],
    ['unknown vendor', minimal(pop('ams1', '', '[{id: r, vendor: huawei, model: NE40, os-version: 8}]')), 'network_field_invalid', 'pops[0].routers[0].vendor', 8],
    ['missing os-version', minimal(pop('ams1', '', '[{id: r, vendor: juniper, model: MX480}]')), 'network_field_missing', 'pops[0].routers[0].os-version', 8],
    ['typo in a field', minimal(pop('ams1', '    regoin: eu\n')), 'network_field_unknown', 'pops[0].regoin', 9],
    ['MTU beyond IP', 'name: n\nmtu-bytes: 99971\nowned-prefixes: [173.245.48.0/20]\npops: []\n', 'network_field_invalid', 'mtu-bytes', 2],
    ['bad router address', minimal(pop('ams1', '', '[{id: r, vendor: juniper, model: MX480, os-version: 1, address: 300.1.1.1}]')), 'network_field_invalid', 'pops[0].routers[0].address', 8],
  ])('%s', (_name, text, code, component, line) => {
    const r = parseNetworkFile(text);
    expect(r.network).toBeUndefined();
    const f = r.findings.find((x) => x.code === code);
    expect(f, JSON.stringify(r.findings)).toBeDefined();
    expect(f!.component).toBe(component);
    expect(f!.line).toBe(line);
    expect(f!.message).toMatch(/expected|already used|host bits/);
  });

  it('warns (without failing) about anycast space outside the owned prefixes and PoPs without routers', () => {
    const r = parseNetworkFile(minimal(pop('ams1').replace('173.245.48.0/20]', '192.0.2.0/24]') + pop('fra1', '', '[]')));
    expect(r.network).toBeDefined();
    expect(r.findings.map((f) => [f.code, f.severity, f.component])).toEqual([
      ['network_prefix_not_owned', 'warning', 'pops[0].anycast-prefixes[0]'],
      ['network_pop_without_routers', 'warning', 'pops[1].routers'],
    ]);
  });

  it('reports YAML syntax errors with a line', () => {
    const r = parseNetworkFile('name: n\npops: [\n');
    expect(r.findings[0]).toMatchObject({ code: 'network_file_syntax', severity: 'error' });
    expect(r.findings[0]!.line).toBeGreaterThan(0);
  });
});
