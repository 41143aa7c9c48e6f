import { describe, expect, it } from 'vitest';
import { GenerateNetworkError, generateNetwork } from './generate-network.js';

const mix = [['juniper', 'MX960', '21.4R3', 4], ['cisco', 'ASR9000', '7.3.2', 4], ['arista', '7280R3', '4.28.3M', 2]] as const;

describe('generateNetwork', () => {
  it('builds 330 PoPs and exactly 10,000 routers, unique ids, located, with capacity; reproducible per seed', () => {
    const n = generateNetwork({ seed: 330, pops: 330, totalRouters: 10_000, mix });
    expect(n.pops).toHaveLength(330);
    const routers = n.pops.flatMap((p) => p.routers);
    expect(routers).toHaveLength(10_000);
    expect(new Set(routers.map((r) => r.id)).size).toBe(10_000);
    expect(new Set(n.pops.map((p) => p.id)).size).toBe(330);
    expect(n.pops.every((p) => p.location && p.capacityBps! >= 1e12 && p.capacityBps! <= 5e12 && p.routers.length >= 30 && p.routers.length <= 31)).toBe(true);
    const vendors = new Set(routers.map((r) => r.vendor));
    expect([...vendors].sort()).toEqual(['arista', 'cisco', 'juniper']);
    expect(generateNetwork({ seed: 330, pops: 330, totalRouters: 10_000, mix })).toEqual(n);
    expect(generateNetwork({ seed: 331, pops: 330, totalRouters: 10_000, mix })).not.toEqual(n);
  });
  it('rejects impossible sizes', () => {
    expect(() => generateNetwork({ seed: 1, pops: 0, mix })).toThrow(GenerateNetworkError);
    expect(() => generateNetwork({ seed: 1, pops: 0, mix })).toThrow(expect.objectContaining({ code: 'fleet_generate_invalid' }));
    expect(() => generateNetwork({ seed: 1, pops: 10, totalRouters: 5, mix })).toThrow(GenerateNetworkError);
    expect(() => generateNetwork({ seed: 1, pops: 10, mix: [] })).toThrow(GenerateNetworkError);
  });
});
