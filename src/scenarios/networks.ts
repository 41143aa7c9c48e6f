// Seeded network generators for scenarios and scale runs.
import type { NetworkDescription, Pop, Router } from '../fleet/network.js';
import { seededRandom } from '../lib/random.js';

const CITIES: ReadonlyArray<readonly [string, string, number, number]> = [
  ['sjc', 'na', 37.34, -121.89], ['lax', 'na', 34.05, -118.24], ['sea', 'na', 47.61, -122.33], ['ord', 'na', 41.88, -87.63],
  ['dfw', 'na', 32.78, -96.8], ['iad', 'na', 39.04, -77.49], ['ewr', 'na', 40.73, -74.17], ['mia', 'na', 25.76, -80.19],
  ['atl', 'na', 33.75, -84.39], ['yyz', 'na', 43.65, -79.38], ['ams', 'eu', 52.31, 4.76], ['lhr', 'eu', 51.51, -0.13],
  ['fra', 'eu', 50.11, 8.68], ['cdg', 'eu', 48.86, 2.35], ['mad', 'eu', 40.42, -3.7], ['mxp', 'eu', 45.46, 9.19],
  ['arn', 'eu', 59.33, 18.07], ['waw', 'eu', 52.23, 21.01], ['sin', 'apac', 1.35, 103.82], ['hkg', 'apac', 22.32, 114.17],
  ['nrt', 'apac', 35.68, 139.69], ['syd', 'apac', -33.87, 151.21], ['bom', 'apac', 19.08, 72.88], ['gru', 'sa', -23.55, -46.63],
  ['scl', 'sa', -33.45, -70.67], ['jnb', 'af', -26.2, 28.05], ['dxb', 'me', 25.2, 55.27], ['icn', 'apac', 37.57, 126.98],
];

export interface GenerateNetworkOptions {
  readonly seed: number;
  readonly pops: number;
  readonly routersPerPop: number;
  /** Router mix: [vendor, model, osVersion, weight]. */
  readonly mix: ReadonlyArray<readonly [Router['vendor'], string, string, number]>;
  readonly name?: string;
}

export function generateNetwork(o: GenerateNetworkOptions): NetworkDescription {
  const r = seededRandom(o.seed);
  const totalWeight = o.mix.reduce((s, m) => s + m[3], 0);
  const pickModel = (): readonly [Router['vendor'], string, string, number] => {
    let x = r.next() * totalWeight;
    for (const m of o.mix) if ((x -= m[3]) <= 0) return m;
    return o.mix[o.mix.length - 1]!;
  };
  const pops: Pop[] = [];
  for (let i = 0; i < o.pops; i++) {
    const [city, region, lat, lon] = CITIES[i % CITIES.length]!;
    const id = `${city}${Math.floor(i / CITIES.length) + 1}`;
    const routers: Router[] = Array.from({ length: o.routersPerPop }, (_, j) => {
      const [vendor, model, osVersion] = pickModel();
      return { id: `${id}-edge${j + 1}`, vendor, model, osVersion };
    });
    pops.push({ id, region, location: { lat: lat + r.next() * 2 - 1, lon: lon + r.next() * 2 - 1 }, anycastPrefixes: ['173.245.48.0/20'], capacityBps: (1 + r.int(0, 4)) * 1e12, routers });
  }
  return { name: o.name ?? `generated-${o.pops}x${o.routersPerPop}`, asn: 64500, ownedPrefixes: ['173.245.48.0/20', '2400:cb00::/32'], mtuBytes: 4470, pops };
}

/** 2013: 23 data centres, Juniper MX on a Junos release with the packet-length defect. */
export function network2013(): NetworkDescription {
  return generateNetwork({ seed: 2013, pops: 23, routersPerPop: 2, mix: [['juniper', 'MX480', '11.4R7', 1]], name: 'edge-2013' });
}

/** A present-day edge of Juniper MX on a current Junos (carrying the hidden fragment defect). */
export function networkModernMx(): NetworkDescription {
  return generateNetwork({ seed: 2026, pops: 12, routersPerPop: 2, mix: [['juniper', 'MX960', '21.4R3', 1]], name: 'edge-mx' });
}
