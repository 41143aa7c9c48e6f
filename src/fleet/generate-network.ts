// Seeded network generator for scenarios and scale runs: PoPs placed near real metro areas
// (so anycast "nearest PoP" is meaningful), capacities of 1-5 Tbps, routers drawn from a
// weighted vendor/model/OS mix. Pure: the same options always give the same network.
import { seededRandom } from '../lib/random.js';
import { FleetError } from './codes.js';
import type { NetworkDescription, Pop, Router } from './network.js';

/** Metro code, region, latitude, longitude. */
const METROS: ReadonlyArray<readonly [string, string, number, number]> = [
  ['sjc', 'na', 37.34, -121.89], ['lax', 'na', 34.05, -118.24], ['sea', 'na', 47.61, -122.33], ['ord', 'na', 41.88, -87.63],
  ['dfw', 'na', 32.78, -96.8], ['iad', 'na', 39.04, -77.49], ['ewr', 'na', 40.73, -74.17], ['mia', 'na', 25.76, -80.19],
  ['atl', 'na', 33.75, -84.39], ['yyz', 'na', 43.65, -79.38], ['ams', 'eu', 52.31, 4.76], ['lhr', 'eu', 51.51, -0.13],
  ['fra', 'eu', 50.11, 8.68], ['cdg', 'eu', 48.86, 2.35], ['mad', 'eu', 40.42, -3.7], ['mxp', 'eu', 45.46, 9.19],
  ['arn', 'eu', 59.33, 18.07], ['waw', 'eu', 52.23, 21.01], ['sin', 'apac', 1.35, 103.82], ['hkg', 'apac', 22.32, 114.17],
  ['nrt', 'apac', 35.68, 139.69], ['syd', 'apac', -33.87, 151.21], ['bom', 'apac', 19.08, 72.88], ['gru', 'sa', -23.55, -46.63],
  ['scl', 'sa', -33.45, -70.67], ['jnb', 'af', -26.2, 28.05], ['dxb', 'me', 25.2, 55.27], ['icn', 'apac', 37.57, 126.98],
];

/** [vendor, model, osVersion, weight] */
export type RouterMixEntry = readonly [Router['vendor'], string, string, number];

export interface GenerateNetworkOptions {
  readonly seed: number;
  readonly pops: number;
  /** Routers at every PoP; ignored when `totalRouters` is given. */
  readonly routersPerPop?: number;
  /** Exact router count over the whole network, spread as evenly as possible (at least one per PoP). */
  readonly totalRouters?: number;
  readonly mix: readonly RouterMixEntry[];
  readonly name?: string;
  /** Capacity range per PoP in Tbps (default 1-5). */
  readonly capacityTbps?: readonly [number, number];
}

/** Options the generator cannot meet (thrown: the caller asked for something impossible). */
export class GenerateNetworkError extends FleetError {
  override name = 'GenerateNetworkError';
  constructor(message: string) {
    super('fleet_generate_invalid', message);
  }
}

export function generateNetwork(o: GenerateNetworkOptions): NetworkDescription {
  if (!Number.isInteger(o.pops) || o.pops < 1) throw new GenerateNetworkError(`expected at least one PoP, got ${o.pops}`);
  if (o.mix.length === 0 || o.mix.some((m) => !(m[3] > 0))) throw new GenerateNetworkError('expected a non-empty router mix with positive weights');
  const total = o.totalRouters ?? o.pops * (o.routersPerPop ?? 2);
  if (!Number.isInteger(total) || total < o.pops) throw new GenerateNetworkError(`expected at least one router per PoP (${o.pops}), got ${total} routers`);
  const r = seededRandom(o.seed);
  const totalWeight = o.mix.reduce((s, m) => s + m[3], 0);
  const pickModel = (): RouterMixEntry => {
    let x = r.next() * totalWeight;
    for (const m of o.mix) if ((x -= m[3]) <= 0) return m;
    return o.mix[o.mix.length - 1]!;
  };
  const [capMin, capMax] = o.capacityTbps ?? [1, 5];
  const basePerPop = Math.floor(total / o.pops);
  const extra = total - basePerPop * o.pops;
  const pops: Pop[] = [];
  for (let i = 0; i < o.pops; i++) {
    const [metro, region, lat, lon] = METROS[i % METROS.length]!;
    const id = `${metro}${Math.floor(i / METROS.length) + 1}`;
    const count = basePerPop + (i < extra ? 1 : 0);
    const routers: Router[] = Array.from({ length: count }, (_, j) => {
      const [vendor, model, osVersion] = pickModel();
      return { id: `${id}-edge${j + 1}`, vendor, model, osVersion };
    });
    const capacityTbps = capMin + Math.round(r.next() * (capMax - capMin) * 10) / 10;
    pops.push({ id, region, location: { lat: lat + r.next() * 2 - 1, lon: lon + r.next() * 2 - 1 }, anycastPrefixes: ['173.245.48.0/20'], capacityBps: capacityTbps * 1e12, routers });
  }
  return { name: o.name ?? `generated-${o.pops}-pops-${total}-routers`, asn: 64500, ownedPrefixes: ['173.245.48.0/20', '2400:cb00::/32'], mtuBytes: 4470, pops };
}
