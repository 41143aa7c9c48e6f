// Benchmark: validateRules on 10,000 seeded, realistic mitigation rules (DNS/NTP/memcached/SSDP
// amplification, SYN and ICMP floods, fragments; mostly /32 victims, some /24s, 10% IPv6;
// scopes of 1-3 PoPs, regions, a few approved global rules) against a 40-PoP network with the
// shipped device models, with the full overlap analysis. Prints the median and rules/s.
//   npx tsx benchmarks/validate-rules.ts [rules=10000] [runs=7]
import { loadDeviceModelsSync } from '../src/fleet/io/device-model-files.js';
import type { NetworkDescription, Pop, Router } from '../src/fleet/network.js';
import { type Random, seededRandom } from '../src/lib/random.js';
import type { MitigationRule, RuleMatch } from '../src/rules/model.js';
import { validateRules } from '../src/rules/validate/index.js';

const RULES = Number(process.argv[2] ?? 10_000);
const RUNS = Number(process.argv[3] ?? 7);
const NOW = Date.parse('2025-06-01T12:00:00Z');

function buildNetwork(rnd: Random): NetworkDescription {
  const regions = ['eu', 'us-east', 'us-west', 'apac', 'sa'];
  const routerKinds: Array<Omit<Router, 'id'>> = [
    { vendor: 'juniper', model: 'MX480', osVersion: '21.4R3' },
    { vendor: 'juniper', model: 'MX10003', osVersion: '22.2R1' },
    { vendor: 'cisco', model: 'ASR9006', osVersion: '7.3.2' },
    { vendor: 'arista', model: '7280R3', osVersion: '4.28.3M' },
    { vendor: 'linux', model: 'linux-nftables', osVersion: '6.1' },
  ];
  const pops: Pop[] = [];
  for (let i = 0; i < 40; i++) {
    const id = `pop${String(i).padStart(2, '0')}`;
    const routers: Router[] = [0, 1].map((r) => ({ id: `${id}-r${r + 1}`, ...rnd.pick(routerKinds) }));
    pops.push({ id, region: regions[i % regions.length]!, anycastPrefixes: ['104.16.0.0/13'], routers, ...(i % 10 === 0 ? { mtuBytes: 9000 } : {}) });
  }
  const owned = Array.from({ length: 10 }, (_, i) => `104.${16 + i}.0.0/16`);
  return { name: 'bench', asn: 64500, ownedPrefixes: [...owned, '2606:4700::/32'], mtuBytes: 4470, pops };
}

const one = (v: number): Array<{ min: number; max: number }> => [{ min: v, max: v }];

function attackMatch(rnd: Random, destination: string, v6: boolean): { match: RuleMatch; action: MitigationRule['action'] } {
  const kind = rnd.int(0, 7);
  const discard = { kind: 'discard' as const };
  switch (kind) {
    case 0:
      return { match: { destination, protocols: one(17), sourcePorts: one(53), packetLengths: [{ min: 512, max: rnd.pick([4470, 65535]) }] }, action: discard };
    case 1:
      return { match: { destination, protocols: one(17), sourcePorts: one(123), packetLengths: one(468) }, action: discard };
    case 2:
      return { match: { destination, protocols: one(17), sourcePorts: one(11211) }, action: discard };
    case 3:
      return { match: { destination, protocols: one(17), sourcePorts: one(1900), packetLengths: [{ min: 300, max: 1500 }] }, action: { kind: 'rate-limit-bytes', bytesPerSec: rnd.int(1, 100) * 125_000 } };
    case 4:
      return {
        match: { destination, protocols: one(6), destinationPorts: rnd.pick([one(80), one(443), [...one(80), ...one(443)]]), tcpFlags: [[{ op: 'all', bits: 0x02 }, { op: 'none', bits: 0x10 }]] },
        action: { kind: 'rate-limit-packets', packetsPerSec: rnd.int(1, 50) * 1000 },
      };
    case 5:
      return { match: { destination, protocols: one(v6 ? 58 : 1), icmpTypes: one(v6 ? 128 : 8) }, action: { kind: 'rate-limit-bytes', bytesPerSec: 1_000_000 } };
    case 6:
      return { match: { destination, protocols: one(17), fragment: [[{ op: 'all', bits: 0x02 }]] }, action: discard };
    default:
      return { match: { destination, protocols: one(17), destinationPorts: [{ min: 1024, max: 65535 }], packetLengths: [{ min: rnd.int(60, 200), max: 1500 }] }, action: discard };
  }
}

function buildRules(rnd: Random, network: NetworkDescription, count: number, prefix: string): MitigationRule[] {
  const regions = [...new Set(network.pops.map((p) => p.region))];
  const rules: MitigationRule[] = [];
  for (let i = 0; i < count; i++) {
    const v6 = rnd.next() < 0.1;
    const broad = rnd.next() < 0.05;
    const destination = v6
      ? `2606:4700:${rnd.int(0, 0xff).toString(16)}::${rnd.int(1, 0xffff).toString(16)}/128`
      : broad
        ? `104.${rnd.int(16, 25)}.${rnd.int(0, 255)}.0/24`
        : `104.${rnd.int(16, 25)}.${rnd.int(0, 255)}.${rnd.int(1, 254)}/32`;
    const { match, action } = attackMatch(rnd, destination, v6);
    const s = rnd.next();
    const scope: MitigationRule['scope'] =
      s < 0.7
        ? { kind: 'pops', pops: [...new Set(Array.from({ length: rnd.int(1, 3) }, () => rnd.pick(network.pops).id))] }
        : s < 0.95
          ? { kind: 'regions', regions: [rnd.pick(regions)] }
          : { kind: 'global' };
    rules.push({
      id: `${prefix}-${i}`,
      family: v6 ? 'ipv6' : 'ipv4',
      match,
      action,
      scope,
      expiresAt: new Date(NOW + rnd.int(1, 24) * 3_600_000).toISOString(),
      provenance: { author: 'profiler', origin: 'profiler' },
      ...(scope.kind === 'global' ? { approvedBy: 'oncall' } : {}),
    });
  }
  return rules;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function run(label: string, rules: MitigationRule[], installed: MitigationRule[], network: NetworkDescription, deviceModels: ReturnType<typeof loadDeviceModelsSync>): number {
  const times: number[] = [];
  let findings = 0;
  let errors = 0;
  validateRules(rules, { network, deviceModels, installed, nowMs: NOW }); // warm-up
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const fs = validateRules(rules, { network, deviceModels, installed, nowMs: NOW });
    times.push(performance.now() - t0);
    findings = fs.length;
    errors = fs.filter((f) => f.severity === 'error').length;
  }
  const ms = median(times);
  console.log(
    `${label.padEnd(42)} median ${ms.toFixed(1).padStart(7)} ms  ${Math.round((rules.length / ms) * 1000).toLocaleString('en-US').padStart(9)} rules/s  ` +
      `(min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}; ${findings} findings, ${errors} errors)`,
  );
  return ms;
}

const rnd = seededRandom(2013);
const network = buildNetwork(rnd);
const deviceModels = loadDeviceModelsSync();
const batch = buildRules(rnd, network, RULES, 'new');
const installed = buildRules(rnd, network, RULES, 'old');

console.log(`validateRules: ${RULES} rules, 40 PoPs / 80 routers, ${deviceModels.length} device models, ${RUNS} runs (node ${process.version})`);
const fresh = run(`${RULES} new rules, nothing installed`, batch, [], network, deviceModels);
run(`${RULES} new rules over ${RULES} installed`, batch, installed, network, deviceModels);
run(`1000 new rules over ${RULES} installed`, batch.slice(0, 1000), installed, network, deviceModels);
console.log(fresh < 1000 ? `OK: median ${fresh.toFixed(1)} ms < 1000 ms budget` : `OVER BUDGET: median ${fresh.toFixed(1)} ms >= 1000 ms`);
if (fresh >= 1000) process.exitCode = 1;
