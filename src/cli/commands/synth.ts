// `failsmall synth`: seeded, labelled synthetic traffic (background + attack scenarios) as a
// pcap/pcapng capture, as sFlow v5 / NetFlow v5 / NetFlow v9 / IPFIX datagrams sent to a
// loopback collector at a paced rate, or as FlowRecord JSON lines (one per sampled packet).
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { formatAddress, parseAddress, parsePrefix } from '../../lib/prefix.js';
import { seededRandom } from '../../lib/random.js';
import { EXPORT_FORMATS, type ExportFormat, buildWirePacket, exportStream, pcapFileHeader, pcapRecord, pcapngInterface, pcapngPacket, pcapngSectionHeader } from '../../telemetry/export/index.js';
import { ExporterSender, isLoopbackAddress } from '../../telemetry/io/exporter-sender.js';
import { DEFAULT_DESTINATIONS, TRAFFIC_SCENARIO_NAMES, type TrafficScenarioName, defaultTrafficPlan, generatePackets, packetToFlowRecord } from '../../telemetry/synth/index.js';
import { UsageError } from '../exit-codes.js';
import { SYNTH_START_MS } from '../traffic-input.js';

export function parseDurationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`duration "${text}" is not like 500ms, 60s, 5m or 1h`);
  const n = Number(m[1]);
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h']);
}

const positive = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got "${v}"`);
  return n;
};

const list = (v: string): string[] => v.split(',').map((x) => x.trim()).filter((x) => x.length > 0);

/** "[host]:port" or "host:port" (IPv6 in brackets); a bare ":port" means 127.0.0.1. */
export function parseHostPort(text: string, defaultHost = '127.0.0.1', allowZero = false): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*))?:(\d+)$/.exec(text.trim()) ?? /^()()(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError(`"${text}" is not [HOST]:PORT`);
  const port = Number(m[3]);
  if (port < (allowZero ? 0 : 1) || port > 65_535) throw new UsageError(`port ${port} is out of range`);
  return { host: m[1] || m[2] || defaultHost, port };
}

interface SynthOptions {
  scenario: string;
  seed: number;
  duration: string;
  attackStart?: string;
  attackEnd?: string;
  attackDuration?: string;
  attackPps?: number;
  backgroundPps?: number;
  sampleRate?: number;
  victim?: string;
  victimPrefix?: string;
  destinations?: string[];
  pops?: string[];
  attackPops?: string[];
  mtu: number;
  out?: string;
  snaplen: number;
  emit?: string;
  to?: string;
  speed: number;
  rate?: number;
  start?: string;
  json?: boolean;
}

function checkAddress(name: string, text: string): void {
  if (!parseAddress(text)) throw new UsageError(`${name} "${text}" is not an IPv4 or IPv6 address`);
}

/** Hosts spread over a prefix for background traffic (the first 64 host addresses after .9). */
function hostsIn(prefixText: string): string[] {
  const p = parsePrefix(prefixText);
  if (!p.ok) throw new UsageError(`--victim-prefix: ${p.error.message}`);
  const out: string[] = [];
  const base = p.value.bytes;
  const hostBits = base.length * 8 - p.value.length;
  const n = Math.min(64, 2 ** Math.min(hostBits, 16) - 2);
  for (let i = 0; i < Math.max(1, n); i++) {
    const b = Uint8Array.from(base);
    let v = 10 + i * Math.max(1, Math.floor((2 ** Math.min(hostBits, 16) - 12) / Math.max(1, n)));
    for (let j = b.length - 1; j >= 0 && v > 0; j--) {
      b[j] = b[j]! | (v & 0xff);
      v = Math.floor(v / 256);
    }
    out.push(formatAddress(b));
  }
  return out;
}

export function register(program: Command): void {
  program
    .command('synth')
    .description('generate seeded, labelled synthetic traffic: a pcap/pcapng capture (--out X.pcap), sFlow/NetFlow/IPFIX sent to a loopback collector (--emit F --to HOST:PORT), or FlowRecord JSON lines (default)')
    .option('--scenario <name>', `attack scenario: ${TRAFFIC_SCENARIO_NAMES.join(', ')}`, 'dns-amplification')
    .option('--seed <n>', 'random seed (same seed, same traffic, byte for byte)', (v) => Number.parseInt(v, 10), 1)
    .option('--duration <d>', 'length of the traffic, e.g. 60s', '60s')
    .option('--attack-start <d>', 'attack onset after the start (default: a third of the duration)')
    .option('--attack-end <d>', 'attack end after the start (default: five sixths of the duration)')
    .option('--attack-duration <d>', 'attack length (instead of --attack-end)')
    .option('--attack-pps <pps>', 'attack packets per second on the wire (default 2000 for captures, 3000000 otherwise)', positive('--attack-pps'))
    .option('--background-pps <pps>', 'background packets per second (default 500 for captures, 400000 otherwise)', positive('--background-pps'))
    .option('--sample-rate <n>', '1-in-N packet sampling (default 1 for captures, 1000 otherwise)', positive('--sample-rate'))
    .option('--victim <addr>', 'attack target host', undefined)
    .option('--victim-prefix <prefix>', 'victim network: background goes to hosts inside it, carpet bombing hits all of it')
    .option('--destinations <list>', 'background destination addresses, comma-separated', list)
    .option('--pops <list>', 'PoPs that observe traffic, comma-separated', list)
    .option('--attack-pops <list>', 'PoPs the attack lands on (default: the first two)', list)
    .option('--mtu <bytes>', 'link MTU; larger datagrams are fragmented', (v) => Number.parseInt(v, 10), 1500)
    .option('--out <file>', 'write a capture (.pcap / .pcapng) or FlowRecord JSON lines (any other name)')
    .option('--snaplen <bytes>', 'bytes kept per packet in a capture', (v) => Number.parseInt(v, 10), 65_535)
    .option('--emit <format>', `send to a collector as ${EXPORT_FORMATS.join(', ')}`)
    .option('--to <host:port>', 'collector address for --emit (loopback only), e.g. 127.0.0.1:6343')
    .option('--speed <x>', 'pace --emit at the traffic timestamps sped up x times', positive('--speed'), 1)
    .option('--rate <datagrams/s>', 'pace --emit at a fixed datagram rate instead', positive('--rate'))
    .option('--start <time>', 'timestamp of the first packet: ISO time, epoch ms, or "now" (default: now with --emit, 2026-11-22T12:00:00Z otherwise)')
    .option('--json', 'print a machine-readable summary (captures, --emit); JSON lines output is JSON already')
    .action(async (o: SynthOptions) => {
      if (!(TRAFFIC_SCENARIO_NAMES as readonly string[]).includes(o.scenario)) throw new UsageError(`unknown scenario "${o.scenario}"; expected one of: ${TRAFFIC_SCENARIO_NAMES.join(', ')}`);
      if (!Number.isInteger(o.seed)) throw new UsageError('--seed must be an integer');
      if (!Number.isInteger(o.mtu) || o.mtu < 576 || o.mtu > 65_535) throw new UsageError(`--mtu must be an integer from 576 to 65535, got ${o.mtu}`);
      if (!Number.isInteger(o.snaplen) || o.snaplen < 1 || o.snaplen > 262_144) throw new UsageError(`--snaplen must be from 1 to 262144, got ${o.snaplen}`);
      const capture = o.out !== undefined && /\.(pcap|pcapng)$/i.test(o.out);
      if (o.emit !== undefined) {
        if (!(EXPORT_FORMATS as readonly string[]).includes(o.emit)) throw new UsageError(`--emit must be one of ${EXPORT_FORMATS.join(', ')}, got "${o.emit}"`);
        if (!o.to) throw new UsageError('--emit needs --to HOST:PORT');
        if (capture) throw new UsageError('give either --out FILE.pcap or --emit, not both');
      }
      const emitTo = o.to ? parseHostPort(o.to) : undefined;
      if (emitTo && !isLoopbackAddress(emitTo.host)) throw new UsageError(`--to ${o.to}: the synthetic exporter sends to loopback collectors only (127.0.0.0/8, ::1)`);
      if (o.victim) checkAddress('--victim', o.victim);
      for (const d of o.destinations ?? []) checkAddress('--destinations', d);

      const durationMs = parseDurationMs(o.duration);
      const startOffset = o.attackStart !== undefined ? parseDurationMs(o.attackStart) : undefined;
      const endOffset = o.attackEnd !== undefined ? parseDurationMs(o.attackEnd) : o.attackDuration !== undefined ? (startOffset ?? Math.round(durationMs / 3)) + parseDurationMs(o.attackDuration) : undefined;
      const victimPrefixHosts = o.victimPrefix ? hostsIn(o.victimPrefix) : undefined;
      const plan = defaultTrafficPlan(o.scenario as TrafficScenarioName, {
        durationMs,
        sampleRate: Math.round(o.sampleRate ?? (capture ? 1 : 1000)),
        mtuBytes: o.mtu,
        backgroundPps: o.backgroundPps ?? (capture ? 500 : 400_000),
        attackPps: o.attackPps ?? (capture ? 2_000 : 3_000_000),
        ...(startOffset !== undefined ? { attackStartOffsetMs: startOffset } : {}),
        ...(endOffset !== undefined ? { attackEndOffsetMs: endOffset } : {}),
        ...(o.victim ? { victim: o.victim } : victimPrefixHosts ? { victim: victimPrefixHosts[0]! } : {}),
        ...(o.victimPrefix ? { carpetPrefix: o.victimPrefix } : {}),
        destinations: o.destinations ?? victimPrefixHosts ?? DEFAULT_DESTINATIONS,
        ...(o.pops ? { pops: o.pops } : {}),
        ...(o.attackPops ? { attackPops: o.attackPops } : {}),
      });
      for (const a of plan.attacks) if (!(a.endOffsetMs > a.startOffsetMs)) throw new UsageError(`attack window ${a.startOffsetMs}-${a.endOffsetMs} ms is empty`);
      let startMs = o.emit ? Date.now() : SYNTH_START_MS;
      if (o.start !== undefined) startMs = o.start === 'now' ? Date.now() : /^\d+$/.test(o.start) ? Number(o.start) : Date.parse(o.start);
      if (!Number.isFinite(startMs)) throw new UsageError(`--start "${o.start}" is not an ISO time, epoch ms or "now"`);
      const packets = generatePackets(plan, seededRandom(o.seed), startMs);
      const labels: Record<string, number> = {};
      const count = function* <T extends { label: string }>(xs: Iterable<T>): Generator<T> {
        for (const x of xs) {
          labels[x.label] = (labels[x.label] ?? 0) + 1;
          yield x;
        }
      };

      if (o.emit && emitTo) {
        const controller = new AbortController();
        const stop = (): void => controller.abort();
        process.once('SIGINT', stop);
        const sender = new ExporterSender({ ...emitTo, ...(o.rate ? { pace: o.rate } : { pace: 'realtime' as const, speed: o.speed }), signal: controller.signal });
        let flows = 0;
        let samples = 0;
        try {
          const stats = await sender.send(
            (function* () {
              for (const b of exportStream(count(packets), { format: o.emit as ExportFormat, bootMs: startMs - 3_600_000, pops: plan.background.pops, sampleRate: plan.sampleRate })) {
                flows += b.flows.length;
                samples += b.samples.length;
                yield b;
              }
            })(),
          );
          const summary = { format: o.emit, to: `${emitTo.host}:${emitTo.port}`, datagrams: stats.datagrams, bytes: stats.bytes, flows, samples, packets: labels, sampleRate: plan.sampleRate, seconds: Number(stats.seconds.toFixed(3)), sendErrors: stats.errors };
          process.stdout.write(o.json ? `${JSON.stringify(summary)}\n` : `sent ${stats.datagrams} ${o.emit} datagrams (${o.emit === 'sflow' ? `${samples} samples` : `${flows} flows`}) to ${summary.to} in ${summary.seconds} s\n`);
        } finally {
          process.removeListener('SIGINT', stop);
          await sender.close();
        }
        return;
      }

      const out: NodeJS.WritableStream = o.out ? createWriteStream(o.out) : process.stdout;
      // A reader that goes away (`synth | head`) ends the output quietly.
      let closed = false;
      const onError = (e: NodeJS.ErrnoException): void => {
        if (e.code !== 'EPIPE') throw e;
        closed = true;
      };
      if (!o.out) out.on('error', onError);
      const write = async (chunk: string | Uint8Array): Promise<void> => {
        if (!out.write(chunk)) await new Promise<void>((r) => (closed ? r() : out.once('drain', () => r())));
      };
      let n = 0;
      if (capture) {
        const ng = /\.pcapng$/i.test(o.out!);
        const opts = { snaplen: o.snaplen };
        await write(ng ? Buffer.concat([pcapngSectionHeader(), pcapngInterface(opts)]) : pcapFileHeader(opts));
        for (const p of count(packets)) {
          const rec = { timestampMs: p.timestampMs, data: buildWirePacket(p) };
          await write(ng ? pcapngPacket(rec, opts) : pcapRecord(rec, opts));
          n++;
        }
      } else {
        for (const p of count(packets)) {
          if (closed) break;
          await write(`${JSON.stringify(packetToFlowRecord(p))}\n`);
          n++;
        }
        if (!o.out) out.removeListener('error', onError);
      }
      if (o.out) {
        const file = out as ReturnType<typeof createWriteStream>;
        await new Promise<void>((resolve, reject) => {
          file.on('error', reject);
          file.end(() => resolve());
        });
        const summary = { out: o.out, packets: n, labels, sampleRate: plan.sampleRate };
        if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        else process.stderr.write(`wrote ${n} ${capture ? 'packets' : 'records'} to ${o.out} (${Object.entries(labels).map(([k, v]) => `${k} ${v}`).join(', ')})\n`);
      }
    });
}
