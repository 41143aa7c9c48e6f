// The network description file (YAML or JSON): PoPs grouped in regions, owned and anycast
// address space, MTU, and the routers at each PoP with vendor, model and OS version.
// Parsed with zod; every problem is a Finding with its field path and line/column.
//
//   name: example-anycast
//   asn: 64500
//   mtu-bytes: 4470
//   owned-prefixes: [173.245.48.0/20, 2400:cb00::/32]
//   pops:
//     - id: ams1
//       region: eu
//       anycast-prefixes: [173.245.48.0/20]
//       routers:
//         - {id: ams1-r1, vendor: juniper, model: MX480, os-version: 15.1R7}
import { LineCounter, type Node, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import { z } from 'zod';
import { parseAddress, parsePrefix, prefixContains, type Prefix } from '../lib/prefix.js';
import type { Finding } from '../rules/model.js';
import type { NetworkDescription, Pop, Router } from './network.js';

type PathSeg = string | number;

const ALIASES: Readonly<Record<string, string>> = {
  mtuBytes: 'mtu-bytes',
  ownedPrefixes: 'owned-prefixes',
  anycastPrefixes: 'anycast-prefixes',
  capacityBps: 'capacity-bps',
  osVersion: 'os-version',
};
const CANONICAL_TO_ALIAS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(ALIASES).map(([a, c]) => [c, a]));

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return `an object with keys ${Object.keys(v).join(', ') || '(none)'}`;
  if (typeof v === 'string') return `"${v.length > 60 ? `${v.slice(0, 57)}...` : v}"`;
  return `${typeof v} ${String(v)}`;
}

const expect = (what: string) => ({ error: (iss: { input?: unknown }) => `expected ${what}, found ${describe(iss.input)}` });
const Id = z.string(expect('an id string')).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected an id of letters, digits, ".", "_" or "-"');
const Asn = z.number(expect('an AS number')).int('expected an integer AS number').min(1, 'expected an AS number of at least 1').max(4294967295, 'expected an AS number below 2^32');
const Mtu = z.number(expect('an MTU in bytes')).int('expected a whole number of bytes').min(68, 'expected an MTU of at least 68 bytes (RFC 791)').max(65535, 'expected an MTU of at most 65535 bytes');

const RouterSchema = z.strictObject({
  id: Id,
  vendor: z.enum(['juniper', 'cisco', 'arista', 'nokia', 'linux'], expect('a vendor: juniper, cisco, arista, nokia or linux')),
  model: z.string(expect('a model string, e.g. "MX480"')).min(1),
  'os-version': z.union([z.string(), z.number()], expect('an OS version string, e.g. "15.1R7"')).transform((v) => String(v)),
  address: z.string(expect('an IP address')).optional(),
  asn: Asn.optional(),
});

const PopSchema = z.strictObject({
  id: Id,
  name: z.string().optional(),
  region: z.string(expect('a region name')).min(1, 'expected a non-empty region name'),
  location: z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).optional(),
  'anycast-prefixes': z.array(z.string(), expect('a list of prefixes')),
  'mtu-bytes': Mtu.optional(),
  'capacity-bps': z.number(expect('a capacity in bits per second')).positive('expected a positive capacity').optional(),
  routers: z.array(RouterSchema, expect('a list of routers')),
});

const NetworkSchema = z.strictObject({
  name: z.string(expect('a network name')).min(1),
  asn: Asn.optional(),
  'mtu-bytes': Mtu,
  'owned-prefixes': z.array(z.string(), expect('a list of prefixes')).min(1, 'expected at least one owned prefix'),
  pops: z.array(PopSchema, expect('a list of PoPs')),
});

const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  network: Object.keys(NetworkSchema.shape),
  pop: Object.keys(PopSchema.shape),
  router: Object.keys(RouterSchema.shape),
};

function formatPath(path: readonly PathSeg[]): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s === '' ? seg : `.${seg}`;
  return s;
}

function canonicalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalise);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [ALIASES[k] ?? k, canonicalise(v)]));
  }
  return value;
}

/** Parse and check a network description. `network` is set only when there is no error finding. */
export function parseNetworkFile(text: string): { network?: NetworkDescription; findings: Finding[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const findings: Finding[] = [];
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = lineCounter.linePos(e.pos[0]);
      findings.push({ code: 'network_file_syntax', severity: 'error', message: `YAML/JSON syntax: ${e.message.split('\n')[0]}`, line: pos.line, column: pos.col });
    }
    return { findings };
  }

  const locate = (path: readonly PathSeg[], pointAtKey = false): { line: number; column: number } | undefined => {
    let node: unknown = doc.contents;
    let range = (doc.contents as Node | null)?.range;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      if (isMap(node)) {
        const names = typeof seg === 'string' ? [seg, CANONICAL_TO_ALIAS[seg]].filter(Boolean) : [String(seg)];
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && names.includes(String(p.key.value)));
        if (!pair) break;
        if (i === path.length - 1 && pointAtKey && isScalar(pair.key)) {
          range = pair.key.range ?? range;
          break;
        }
        node = pair.value;
        range = (pair.value as Node | null)?.range ?? range;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
        node = node.items[seg];
        range = (node as Node).range ?? range;
      } else break;
    }
    if (!range) return undefined;
    const pos = lineCounter.linePos(range[0]);
    return { line: pos.line, column: pos.col };
  };
  const add = (code: string, path: readonly PathSeg[], message: string, extra: { severity?: 'error' | 'warning'; pointAtKey?: boolean; expected?: unknown; actual?: unknown } = {}): void => {
    const loc = locate(path, extra.pointAtKey);
    findings.push({
      code,
      severity: extra.severity ?? 'error',
      component: formatPath(path),
      message,
      ...(extra.expected !== undefined ? { expected: extra.expected } : {}),
      ...(extra.actual !== undefined ? { actual: extra.actual } : {}),
      ...(loc ? { line: loc.line, column: loc.column } : {}),
    });
  };

  const raw = canonicalise(doc.toJS({ maxAliasCount: 100 }));
  const parsed = NetworkSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        const level = path.length === 0 ? 'network' : path.includes('routers') ? 'router' : 'pop';
        for (const key of issue.keys) {
          add('network_field_unknown', [...path, key], `unknown field "${key}"; expected one of: ${KNOWN_KEYS[level]!.join(', ')}`, { pointAtKey: true, actual: key });
        }
        continue;
      }
      let actual: unknown = raw;
      for (const seg of path) actual = actual && typeof actual === 'object' ? (actual as Record<string | number, unknown>)[seg] : undefined;
      if (actual === undefined) {
        add('network_field_missing', path, `missing required field "${String(path[path.length - 1] ?? '')}"; ${issue.message.replace(/^Invalid input: /, '').replace(/, (received undefined|found nothing)$/, '')}`);
      } else {
        add('network_field_invalid', path, /found|received/.test(issue.message) ? issue.message : `${issue.message}, found ${describe(actual)}`, { actual });
      }
    }
    return { findings };
  }

  const data = parsed.data;
  const parsePrefixAt = (text: string, path: readonly PathSeg[]): Prefix | undefined => {
    const r = parsePrefix(text);
    if (!r.ok) {
      add(r.error.code, path, `expected a prefix like 173.245.48.0/20, found "${text}": ${r.error.message}`, { actual: text });
      return undefined;
    }
    return r.value;
  };
  const owned = data['owned-prefixes'].map((p, i) => parsePrefixAt(p, ['owned-prefixes', i])).filter((p): p is Prefix => p !== undefined);

  const popIds = new Map<string, number>();
  const routerIds = new Map<string, string>();
  const pops: Pop[] = [];
  data.pops.forEach((pop, pi) => {
    const popPath: PathSeg[] = ['pops', pi];
    const first = popIds.get(pop.id);
    if (first !== undefined) add('network_duplicate_id', [...popPath, 'id'], `PoP id "${pop.id}" is already used by pops[${first}]; PoP ids must be unique`, { actual: pop.id });
    else popIds.set(pop.id, pi);
    pop['anycast-prefixes'].forEach((text, i) => {
      const p = parsePrefixAt(text, [...popPath, 'anycast-prefixes', i]);
      if (p && owned.length > 0 && !owned.some((o) => prefixContains(o, p))) {
        add('network_prefix_not_owned', [...popPath, 'anycast-prefixes', i], `anycast prefix ${text} at ${pop.id} is not inside any owned prefix (${data['owned-prefixes'].join(', ')})`, { severity: 'warning', actual: text });
      }
    });
    if (pop.routers.length === 0) add('network_pop_without_routers', [...popPath, 'routers'], `PoP ${pop.id} lists no routers`, { severity: 'warning' });
    const routers: Router[] = [];
    pop.routers.forEach((r, ri) => {
      const rPath: PathSeg[] = [...popPath, 'routers', ri];
      const seen = routerIds.get(r.id);
      if (seen) add('network_duplicate_id', [...rPath, 'id'], `router id "${r.id}" is already used at PoP ${seen}; router ids must be unique across the network`, { actual: r.id });
      else routerIds.set(r.id, pop.id);
      if (r.address !== undefined && !parseAddress(r.address)) add('network_field_invalid', [...rPath, 'address'], `expected an IPv4 or IPv6 address, found "${r.address}"`, { actual: r.address });
      routers.push({ id: r.id, vendor: r.vendor, model: r.model, osVersion: r['os-version'], ...(r.address !== undefined ? { address: r.address } : {}), ...(r.asn !== undefined ? { asn: r.asn } : {}) });
    });
    pops.push({
      id: pop.id,
      ...(pop.name !== undefined ? { name: pop.name } : {}),
      region: pop.region,
      ...(pop.location ? { location: { lat: pop.location.lat, lon: pop.location.lon } } : {}),
      anycastPrefixes: [...pop['anycast-prefixes']],
      ...(pop['mtu-bytes'] !== undefined ? { mtuBytes: pop['mtu-bytes'] } : {}),
      ...(pop['capacity-bps'] !== undefined ? { capacityBps: pop['capacity-bps'] } : {}),
      routers,
    });
  });

  if (findings.some((f) => f.severity === 'error')) return { findings };
  return {
    network: {
      name: data.name,
      ...(data.asn !== undefined ? { asn: data.asn } : {}),
      ownedPrefixes: [...data['owned-prefixes']],
      mtuBytes: data['mtu-bytes'],
      pops,
    },
    findings,
  };
}
