// Regenerates the telemetry vectors under tests/vectors/telemetry/captured/ (run by hand, output
// committed):   npx tsx tests/vectors/telemetry/capture.ts [softflowd] [pmacct] [sflow] [handmade]
//
// REAL captures from two exporters. A capture of known traffic (IPv4 UDP/TCP/ICMP, IPv6
// UDP/ICMPv6, plus enough extra UDP flows to spill into more export datagrams) is written as a
// pcap, an exporter reads it and exports to a UDP socket bound here on 127.0.0.1, and every
// datagram is stored as annotated hex: the field layout (NetFlow v9/IPFIX sets, template fields
// with element names, one data record per line; sFlow samples and records) plus tshark's own
// dissection (`tshark -V -d udp.port==2055,cflow` / `-d udp.port==6343,sflow`) as comments. The
// golden .json holds our decode and, separately, what tshark decoded (`-T json` flows for
// NetFlow/IPFIX, `-T fields` per datagram for sFlow): the vector test checks both.
//  - softflowd (`softflowd -r in.pcap -n 127.0.0.1:PORT -v 5|9|10 [-6] [-s 10]`): NetFlow v5,
//    v9, IPFIX -> softflowd-*.
//  - pmacctd reading the pcap (`pmacctd -f pmacctd.conf` with `pcap_savefile: in.pcap`; the
//    config of each run is in its vector's source line): the sfprobe plugin exports sFlow v5
//    (flow samples with raw packet headers and extended switch data, and interface counters
//    samples), the nfprobe plugin NetFlow v9 / IPFIX (`nfprobe_version: 9|10`), each unsampled
//    and with `sampling_rate: 10` -> pmacct-*. pmacctd runs as a child in its own process
//    group and a temp dir, exits at the end of the file (killed after 60 s if not), and the
//    dir is removed. sfprobe quirks: with pmacctd's default core-to-plugin buffers it loses
//    the last packets of the file, so the sFlow runs set one buffer for the whole file
//    (`plugin_buffer_size`); it polls interface counters every 20 s of a clock that ticks only
//    as packets arrive, so pmacct-sflow-counters waits 21 s before playing the file
//    (`pcap_savefile_delay: 21`, default buffers) to get a counters sample.
//
// Hand-built, for what no exporter here shows: sFlow v5 datagrams written from
// sflow_version_5.txt one annotated word at a time (not with our encoder): IPv6 agents,
// expanded samples, sampled_ipv4/ipv6 records, fragments, unknown enterprises; and NetFlow v9 /
// IPFIX feature datagrams (options data, enterprise and variable-length fields, reduced-size
// encodings, withdrawals). They are wrapped in a pcap and dissected by tshark the same way.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IE, type FlowDatagramFormat } from '../../../src/telemetry/index.js';
import { Annotated, be16, be32, fill, hex } from './annotated-writer.js';
import { type TsharkFlow, decodeVector } from './vector-file.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, 'captured');
const work = mkdtempSync(join(tmpdir(), 'failsmall-telemetry-capture-'));
const RECEIVED_MS = 1_795_400_000_000;

// ---------- bytes helpers ----------
const le16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

function ipv4(proto: number, src: number[], dst: number[], payload: number[], o: { tos?: number; ttl?: number; flags?: number } = {}): number[] {
  return [0x45, o.tos ?? 0, ...be16(20 + payload.length), 0, 1, ...be16(o.flags ?? 0), o.ttl ?? 64, proto, 0, 0, ...src, ...dst, ...payload];
}
function ipv6(nextHeader: number, payload: number[], o: { trafficClass?: number; flowLabel?: number; src?: string; dst?: string } = {}): number[] {
  const w = ((6 << 28) | ((o.trafficClass ?? 0) << 20) | (o.flowLabel ?? 0)) >>> 0;
  return [...be32(w), ...be16(payload.length), nextHeader, 64, ...Buffer.from(o.src ?? '20010db8000000000000000000000001', 'hex'), ...Buffer.from(o.dst ?? '2400cb00000000000000000000000010', 'hex'), ...payload];
}
const ETH_V4 = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00];
const ETH_V6 = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x86, 0xdd];
const udp = (sport: number, dport: number, body: number[]): number[] => [...be16(sport), ...be16(dport), ...be16(8 + body.length), 0, 0, ...body];
const tcpSyn = (sport: number, dport: number): number[] => [...be16(sport), ...be16(dport), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0];

function pcapFile(frames: readonly number[][], startSec: number): Uint8Array {
  const out: number[] = [...le32(0xa1b2c3d4), ...le16(2), ...le16(4), ...le32(0), ...le32(0), ...le32(65535), ...le32(1)];
  frames.forEach((f, i) => out.push(...le32(startSec + i), ...le32(0), ...le32(f.length), ...le32(f.length), ...f));
  return Uint8Array.from(out);
}

/** Datagrams as UDP/IPv4/Ethernet frames 127.0.0.1:40000 -> 127.0.0.1:dport, for tshark. */
function wrapDatagrams(datagrams: readonly Uint8Array[], dport: number): Uint8Array {
  return pcapFile(
    datagrams.map((d) => [...ETH_V4, ...ipv4(17, [127, 0, 0, 1], [127, 0, 0, 1], udp(40000, dport, Array.from(d)))]),
    1_700_000_000,
  );
}

// ---------- the traffic softflowd meters ----------
function trafficFrames(extraFlows: number): number[][] {
  const frames: number[][] = [];
  for (let i = 0; i < 3; i++) frames.push([...ETH_V4, ...ipv4(17, [198, 51, 100, 7], [173, 245, 53, 10], udp(53, 40000, fill(30, 0x61)), { tos: 0x28, ttl: 55 })]);
  for (let i = 0; i < 2; i++) frames.push([...ETH_V4, ...ipv4(6, [203, 0, 113, 5], [173, 245, 53, 10], tcpSyn(51000, 443), { flags: 0x4000 })]);
  frames.push([...ETH_V4, ...ipv4(1, [192, 0, 2, 1], [173, 245, 53, 10], [8, 0, 0, 0, 0, 1, 0, 1, ...fill(56, 0x64)], { ttl: 63 })]);
  for (let i = 0; i < 2; i++) frames.push([...ETH_V6, ...ipv6(17, udp(5000, 53, fill(8, 0x62)), { trafficClass: 0xb8, flowLabel: 0x12345 })]);
  frames.push([...ETH_V6, ...ipv6(58, [128, 0, 0, 0, 0, 1, 0, 1, ...fill(8, 0x65)])]);
  // One-packet UDP flows from distinct sources so the export spills into more datagrams; the
  // later ones carry data only, and tshark (which stops at the header count, which softflowd
  // sets too low in a datagram with templates) decodes those against the first one's templates.
  for (let i = 0; i < extraFlows; i++) frames.push([...ETH_V4, ...ipv4(17, [198, 18, i >> 8, i & 0xff], [173, 245, 53, 10], udp(20000 + i, 53, fill(20 + (i % 200), 0x71)))]);
  return frames;
}

async function runSoftflowd(pcapPath: string, args: string[]): Promise<Uint8Array[]> {
  const sock = createSocket('udp4');
  const got: Uint8Array[] = [];
  sock.on('message', (m) => got.push(Uint8Array.from(m)));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const port = sock.address().port;
  await new Promise<void>((resolve, reject) => {
    const p = spawn('softflowd', ['-r', pcapPath, '-n', `127.0.0.1:${port}`, ...args], { stdio: 'ignore' });
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error('softflowd did not finish'));
    }, 20_000);
    p.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  for (let idle = 0; idle < 10; idle++) {
    const n = got.length;
    await new Promise((r) => setTimeout(r, 100));
    if (got.length !== n) idle = 0;
  }
  sock.close();
  return got;
}

// ---------- tshark ----------
function tsharkVerbose(pcap: string, decodeAs: string, layer: RegExp): string[] {
  const text = execFileSync('tshark', ['-r', pcap, '-d', decodeAs, '-V'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return text
    .split(/^Frame \d+:/m)
    .slice(1)
    .map((f) => {
      const i = f.search(layer);
      return i < 0 ? '' : f.slice(i).trimEnd();
    });
}

function tsharkJson(pcap: string, decodeAs: string): Array<Record<string, unknown>> {
  const text = execFileSync('tshark', ['-r', pcap, '-d', decodeAs, '-T', 'json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return (JSON.parse(text) as Array<{ _source: { layers: Record<string, unknown> } }>).map((p) => p._source.layers);
}

/** Data flows (not options records) of each frame as tshark's cflow dissector lists them. */
function tsharkFlows(layers: Array<Record<string, unknown>>): TsharkFlow[][] {
  return layers.map((l) => {
    const flows: TsharkFlow[] = [];
    const cf = (l.cflow ?? {}) as Record<string, unknown>;
    for (const [k, set] of Object.entries(cf)) {
      if (!/flows?\)$/.test(k) && !k.startsWith('pdu')) continue;
      for (const [fk, flow] of Object.entries(set as Record<string, unknown>)) {
        if (!fk.startsWith('Flow ')) continue;
        const f = flow as Record<string, unknown>;
        if (f['cflow.srcaddr'] === undefined && f['cflow.srcaddrv6'] === undefined) continue;
        const flat: TsharkFlow = {};
        // absolute start/end times sit in a subtree when the record carries them (nfprobe)
        for (const [name, v] of Object.entries({ ...f, ...((f['cflow.timedelta_tree'] ?? {}) as Record<string, unknown>) })) if (typeof v === 'string' && v.length <= 64) flat[name] = v;
        flows.push(flat);
      }
    }
    // NetFlow v5 records are "pdu" subtrees
    for (const [k, pdu] of Object.entries(cf)) {
      if (!k.startsWith('pdu')) continue;
      const flat: TsharkFlow = {};
      for (const [name, v] of Object.entries(pdu as Record<string, unknown>)) if (typeof v === 'string') flat[name] = v;
      if (flat['cflow.srcaddr'] !== undefined) flows.push(flat);
    }
    return flows;
  });
}

const comment = (text: string): string =>
  text
    .split('\n')
    .map((l) => `#   ${l}`)
    .join('\n');

// ---------- field layout annotation (NetFlow v5 / v9 / IPFIX) ----------
const IE_NAME = new Map<number, string>(Object.entries(IE).map(([k, v]) => [v, k]));
const elementName = (id: number): string => IE_NAME.get(id) ?? `element ${id}`;

function annotateNetflow5(b: Uint8Array): string[] {
  const l: string[] = [];
  const h = (from: number, to: number, c: string): void => void l.push(`${hex(b.subarray(from, to)).padEnd(40)} # ${c}`);
  h(0, 4, 'version 5, count');
  h(4, 16, 'sysUptime, unix_secs, unix_nsecs');
  h(16, 24, 'flow_sequence, engine type/id, sampling interval');
  for (let at = 24, i = 1; at + 48 <= b.length; at += 48, i++) {
    h(at, at + 12, `record ${i}: srcaddr, dstaddr, nexthop`);
    h(at + 12, at + 24, '  input, output, dPkts, dOctets');
    h(at + 24, at + 36, '  first, last, srcport, dstport');
    h(at + 36, at + 48, '  pad, tcp_flags, prot, tos, src_as, dst_as, masks, pad');
  }
  return l;
}

function annotateTemplated(b: Uint8Array, ipfix: boolean): string[] {
  const l: string[] = [];
  const u16 = (at: number): number => (b[at]! << 8) | b[at + 1]!;
  const h = (from: number, to: number, c: string): void => void l.push(`${hex(b.subarray(from, Math.min(to, b.length))).padEnd(40)} # ${c}`);
  const headerLen = ipfix ? 16 : 20;
  h(0, 4, ipfix ? 'version 10, message length' : 'version 9, count');
  h(4, headerLen, ipfix ? 'export time, sequence, observation domain' : 'sysUptime, unix_secs, package sequence, source id');
  const templates = new Map<number, number[]>(); // id -> field lengths (for splitting data records)
  let at = headerLen;
  const end = ipfix ? Math.min(u16(2), b.length) : b.length;
  while (at + 4 <= end) {
    const id = u16(at);
    const len = u16(at + 2);
    const setEnd = Math.min(at + Math.max(len, 4), end);
    const kind = id === (ipfix ? 2 : 0) ? 'template' : id === (ipfix ? 3 : 1) ? 'options template' : id >= 256 ? `data (template ${id})` : 'reserved';
    h(at, at + 4, `set id ${id}, length ${len}: ${kind}`);
    let p = at + 4;
    if (kind === 'template' || kind === 'options template') {
      while (p + 4 <= setEnd) {
        const tid = u16(p);
        const count = u16(p + 2);
        if (tid === 0) break;
        let scope = 0;
        let headerBytes = 4;
        let fieldsTotal = count;
        if (kind === 'options template') {
          if (ipfix) {
            scope = u16(p + 4);
            headerBytes = 6;
          } else {
            scope = count / 4;
            fieldsTotal = (count + u16(p + 4)) / 4;
            headerBytes = 6;
          }
        }
        h(p, p + headerBytes, kind === 'template' ? `template ${tid}, ${count} fields` : ipfix ? `options template ${tid}, ${count} fields, ${scope} scope` : `options template ${tid}, scope ${count} bytes, options ${u16(p + 4)} bytes`);
        p += headerBytes;
        const lens: number[] = [];
        for (let i = 0; i < fieldsTotal && p + 4 <= setEnd; i++) {
          const raw = u16(p);
          const flen = u16(p + 2);
          const ent = ipfix && raw & 0x8000;
          const isScope = i < scope;
          const name = !ipfix && isScope ? `type ${raw}` : `${elementName(raw & 0x7fff)} (${raw & 0x7fff})${ent ? ' enterprise' : ''}`;
          h(p, p + (ent ? 8 : 4), `  ${isScope ? 'scope ' : ''}${name}, ${flen === 65535 && ipfix ? 'variable' : `${flen} bytes`}`);
          p += ent ? 8 : 4;
          lens.push(flen);
        }
        templates.set(tid, lens);
      }
    } else if (id >= 256) {
      const lens = templates.get(id);
      const rec = lens && !lens.includes(65535) ? lens.reduce((a, x) => a + x, 0) : 0;
      for (let i = 1; rec > 0 && p + rec <= setEnd; p += rec, i++) h(p, p + rec, `record ${i}`);
    }
    if (p < setEnd) h(p, setEnd, kind.startsWith('data') && templates.has(id) ? 'padding' : 'records (template in an earlier datagram) or padding');
    at = at + Math.max(len, 4);
  }
  if (at < b.length) h(at, b.length, 'bytes after the last set');
  return l;
}

// ---------- writing vectors ----------
function writeVector(name: string, format: FlowDatagramFormat, source: string[], datagrams: Uint8Array[], dissections: string[], annotate: (b: Uint8Array) => string[], extra: Record<string, unknown>): void {
  const lines = [`# source: ${source[0]}`, ...source.slice(1).map((s) => `#         ${s}`), `# format: ${format}`, `# received-ms: ${RECEIVED_MS}`, `# datagrams: ${datagrams.length}`];
  datagrams.forEach((d, i) => {
    lines.push(`## datagram ${i + 1} (${d.length} bytes)`, '# tshark dissection:', comment(dissections[i] ?? '(none)'), ...annotate(d));
  });
  writeFileSync(join(outDir, `${name}.hex`), `${lines.join('\n')}\n`);
  const golden = { ...decodeVector(format, datagrams, RECEIVED_MS), ...extra };
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(golden, null, 1)}\n`);
  console.log(`wrote ${name}: ${datagrams.length} datagram(s)`);
}

function spawnText(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`;
}
const versions = (): [string, string] => [`softflowd ${/softflowd version ([\d.]+)/.exec(spawnText('softflowd', ['-h']))?.[1] ?? '?'}`, spawnText('tshark', ['-v']).split('\n')[0]!];

async function captureSoftflowd(): Promise<void> {
  const input = join(work, 'traffic.pcap');
  writeFileSync(input, pcapFile(trafficFrames(40), 1_700_000_000));
  const sampledInput = join(work, 'traffic-sampled.pcap');
  writeFileSync(sampledInput, pcapFile(trafficFrames(600), 1_700_000_000));
  const [sfdVersion, tsharkVersion] = versions();
  const runs: Array<{ name: string; format: FlowDatagramFormat; args: string[]; what: string }> = [
    { name: 'softflowd-netflow5', format: 'netflow5', args: ['-v', '5'], what: 'NetFlow v5' },
    { name: 'softflowd-netflow9', format: 'netflow9', args: ['-v', '9', '-6'], what: 'NetFlow v9 with IPv6 flows' },
    { name: 'softflowd-netflow9-sampled', format: 'netflow9', args: ['-v', '9', '-6', '-s', '10'], what: 'NetFlow v9, 1-in-10 sampling (options data)' },
    { name: 'softflowd-ipfix', format: 'ipfix', args: ['-v', '10', '-6'], what: 'IPFIX with IPv6 flows' },
    { name: 'softflowd-ipfix-sampled', format: 'ipfix', args: ['-v', '10', '-6', '-s', '10'], what: 'IPFIX, 1-in-10 sampling (options data)' },
  ];
  for (const run of runs) {
    const sampled = run.args.includes('-s');
    const datagrams = await runSoftflowd(sampled ? sampledInput : input, run.args);
    if (datagrams.length === 0) throw new Error(`${run.name}: softflowd sent nothing`);
    const pcap = join(work, `${run.name}.pcap`);
    writeFileSync(pcap, wrapDatagrams(datagrams, 2055));
    const decodeAs = 'udp.port==2055,cflow';
    const dissections = tsharkVerbose(pcap, decodeAs, /^Cisco NetFlow\/IPFIX/m);
    const flows = tsharkFlows(tsharkJson(pcap, decodeAs));
    writeVector(
      run.name,
      run.format,
      [`${run.what} exported by ${sfdVersion} (softflowd -r traffic.pcap -n 127.0.0.1:PORT ${run.args.join(' ')}),`, `received on a UDP socket; dissected by ${tsharkVersion}. Traffic: tests/vectors/telemetry/capture.ts trafficFrames(${sampled ? 600 : 40}).`],
      datagrams,
      dissections,
      run.format === 'netflow5' ? annotateNetflow5 : (b) => annotateTemplated(b, run.format === 'ipfix'),
      { tshark: flows },
    );
  }
}

// ---------- pmacctd: sFlow v5 (sfprobe) and NetFlow v9 / IPFIX (nfprobe), REAL captures ----------
const pmacctVersion = (): string => `pmacctd ${/pmacctd ([\w.-]+)/.exec(spawnText('pmacctd', ['-V']))?.[1] ?? '?'}`;

/**
 * Runs pmacctd over a pcap with one probe plugin exporting to a UDP socket bound here on
 * 127.0.0.1, and returns the datagrams. pmacctd forks its plugin, so it runs in its own
 * process group, which is killed (by its id) if it overstays `limitMs`.
 */
async function runPmacctd(pcapPath: string, keys: Record<string, string | number>, limitMs: number): Promise<{ datagrams: Uint8Array[]; config: string }> {
  const sock = createSocket('udp4');
  const got: Uint8Array[] = [];
  sock.on('message', (m) => got.push(Uint8Array.from(m)));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const port = sock.address().port;
  const dir = mkdtempSync(join(work, 'pmacctd-'));
  const plugin = String(keys.plugins);
  const receiverKey = plugin.startsWith('sfprobe') ? 'sfprobe_receiver' : 'nfprobe_receiver';
  const shown = Object.entries({ daemonize: 'false', pcap_savefile: 'traffic.pcap', ...keys, [receiverKey]: '127.0.0.1:PORT' }).map(([k, v]) => `${k}: ${v}`);
  const config = join(dir, 'pmacctd.conf');
  const log = join(dir, 'pmacctd.log');
  writeFileSync(config, `${shown.join('\n').replace('traffic.pcap', pcapPath).replace('PORT', String(port))}\nlogfile: ${log}\n`);
  try {
    await new Promise<void>((resolve, reject) => {
      const p = spawn('pmacctd', ['-f', config], { stdio: 'ignore', cwd: dir, detached: true });
      const timer = setTimeout(() => {
        if (p.pid !== undefined) process.kill(-p.pid, 'SIGKILL');
        reject(new Error(`pmacctd did not finish in ${limitMs} ms`));
      }, limitMs);
      p.on('error', reject);
      p.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    }).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; its log:\n${existsSync(log) ? readFileSync(log, 'utf8') : '(none)'}`, { cause: e });
    });
    for (let idle = 0; idle < 10; idle++) {
      const n = got.length;
      await new Promise((r) => setTimeout(r, 100));
      if (got.length !== n) idle = 0;
    }
  } finally {
    sock.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { datagrams: got, config: shown.join('; ') };
}

/** The sFlow v5 layout (sflow_version_5.txt): header, samples, records, one structure per line. */
function annotateSflow(b: Uint8Array): string[] {
  const l: string[] = [];
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u32 = (at: number): number => (at + 4 <= b.length ? view.getUint32(at) : 0);
  const h = (from: number, to: number, c: string): void => {
    const end = Math.min(to, b.length);
    if (end - from <= 20) return void l.push(`${hex(b.subarray(from, end)).padEnd(40)} # ${c}`);
    for (let i = from; i < end; i += 16) l.push(`${hex(b.subarray(i, Math.min(i + 16, end))).padEnd(40)} # ${i === from ? c : '  ...'}`);
  };
  const v6 = u32(4) === 2;
  h(0, 8, `version ${u32(0)}, agent address type ${u32(4)} (${v6 ? 'IPv6' : 'IPv4'})`);
  let at = v6 ? 24 : 12;
  h(8, at, 'agent address');
  h(at, at + 16, `sub_agent_id ${u32(at)}, sequence ${u32(at + 4)}, uptime ${u32(at + 8)} ms, samples ${u32(at + 12)}`);
  const samples = u32(at + 12);
  at += 16;
  const records = (from: number, end: number, count: number, counters: boolean): void => {
    let p = from;
    for (let i = 0; i < count && p + 8 <= end; i++) {
      const format = u32(p);
      const len = u32(p + 4);
      const body = p + 8;
      const stop = Math.min(body + len, end);
      const fmt = `enterprise ${format >>> 12}, format ${format & 0xfff}`;
      if (!counters && format === 1) {
        h(p, body, `flow record: ${fmt} (raw packet header), length ${len}`);
        h(body, body + 16, `  header_protocol ${u32(body)}, frame_length ${u32(body + 4)}, stripped ${u32(body + 8)}, header length ${u32(body + 12)}`);
        h(body + 16, stop, '  header bytes (+ padding to 4)');
      } else if (!counters && format === 1001) {
        h(p, body, `flow record: ${fmt} (extended_switch), length ${len}`);
        h(body, stop, `  src_vlan ${u32(body)}, src_priority ${u32(body + 4)}, dst_vlan ${u32(body + 8)}, dst_priority ${u32(body + 12)}`);
      } else if (counters && format === 1) {
        h(p, body, `counter record: ${fmt} (if_counters), length ${len}`);
        h(body, body + 24, `  ifIndex ${u32(body)}, ifType ${u32(body + 4)}, ifSpeed (64), ifDirection ${u32(body + 16)}, ifStatus ${u32(body + 20)}`);
        h(body + 24, body + 52, '  ifInOctets (64), ifInUcastPkts, ifInMulticastPkts, ifInBroadcastPkts, ifInDiscards, ifInErrors, ifInUnknownProtos');
        h(body + 52, stop, '  ifOutOctets (64), ifOutUcastPkts, ifOutMulticastPkts, ifOutBroadcastPkts, ifOutDiscards, ifOutErrors, ifPromiscuousMode');
      } else {
        h(p, body, `${counters ? 'counter' : 'flow'} record: ${fmt}, length ${len}`);
        h(body, stop, '  record data');
      }
      p = body + len;
    }
    if (p < end) h(p, end, 'bytes after the last record');
  };
  for (let i = 1; i <= samples && at + 8 <= b.length; i++) {
    const format = u32(at);
    const len = u32(at + 4);
    const body = at + 8;
    const end = Math.min(body + len, b.length);
    const kind = format === 1 ? 'flow_sample' : format === 2 ? 'counters_sample' : format === 3 ? 'expanded_flow_sample' : format === 4 ? 'expanded_counters_sample' : 'unknown sample';
    l.push(`# sample ${i}: ${kind}`);
    h(at, body, `sample format: enterprise ${format >>> 12}, format ${format & 0xfff} (${kind}), length ${len}`);
    if (format === 1) {
      h(body, body + 20, `  sequence ${u32(body)}, source id ${u32(body + 4) >>> 24}:${u32(body + 4) & 0xffffff}, sampling rate ${u32(body + 8)}, sample pool ${u32(body + 12)}, drops ${u32(body + 16)}`);
      h(body + 20, body + 32, `  input 0x${u32(body + 20).toString(16)}, output 0x${u32(body + 24).toString(16)}, flow records ${u32(body + 28)}`);
      records(body + 32, end, u32(body + 28), false);
    } else if (format === 2) {
      h(body, body + 12, `  sequence ${u32(body)}, source id ${u32(body + 4) >>> 24}:${u32(body + 4) & 0xffffff}, counter records ${u32(body + 8)}`);
      records(body + 12, end, u32(body + 8), true);
    } else h(body, end, '  sample data');
    at = body + len;
  }
  if (at < b.length) h(at, b.length, 'bytes after the last sample');
  return l;
}

/** tshark's sFlow field values per frame (lists joined with ","). */
function tsharkSflowFields(pcap: string, decodeAs: string): Array<Record<string, string>> {
  const text = execFileSync('tshark', ['-r', pcap, '-d', decodeAs, '-T', 'fields', '-E', 'separator=|', '-E', 'aggregator=,', ...SFLOW_FIELDS.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  return text
    .trimEnd()
    .split('\n')
    .map((line) => {
      const fields = line.split('|');
      return Object.fromEntries(SFLOW_FIELDS.map((f, i) => [f, fields[i] ?? '']));
    });
}

const NFPROBE_AGGREGATE = 'src_host, dst_host, src_port, dst_port, proto, tos, tcpflags';

async function capturePmacct(): Promise<void> {
  const pmacct = pmacctVersion();
  const tsharkVersion = versions()[1];
  const sflowAgent = { sfprobe_agentip: '192.0.2.250', sfprobe_agentsubid: 7 };
  // The core hands packets to the plugin in buffers; with the default (small) buffers sfprobe
  // loses the last few packets of the file, with one buffer for the whole file it gets them all.
  const oneBuffer = { plugin_buffer_size: 100_000, plugin_pipe_size: 10_000_000 };
  const runs: Array<{ name: string; format: FlowDatagramFormat; keys: Record<string, string | number>; extraFlows: number; what: string }> = [
    { name: 'pmacct-sflow', format: 'sflow', keys: { ...oneBuffer, plugins: 'sfprobe[sf]', ...sflowAgent, 'sfprobe_ifindex[sf]': 5, 'sfprobe_direction[sf]': 'in' }, extraFlows: 40, what: 'sFlow v5 (sfprobe plugin), every packet sampled' },
    { name: 'pmacct-sflow-sampled', format: 'sflow', keys: { ...oneBuffer, plugins: 'sfprobe[sf]', ...sflowAgent, sampling_rate: 10, 'sfprobe_ifindex[sf]': 6, 'sfprobe_direction[sf]': 'out' }, extraFlows: 200, what: 'sFlow v5 (sfprobe plugin), random 1-in-10 sampling' },
    // sfprobe polls interface counters every 20 s of its clock, which ticks only as packets
    // arrive: a 21 s delay before the file is played makes the first packets cross a poll
    { name: 'pmacct-sflow-counters', format: 'sflow', keys: { pcap_savefile_delay: 21, plugins: 'sfprobe[sf]', ...sflowAgent, 'sfprobe_ifindex[sf]': 5, 'sfprobe_direction[sf]': 'in' }, extraFlows: 0, what: 'sFlow v5 (sfprobe plugin), every packet sampled, and a counters sample' },
    { name: 'pmacct-netflow9', format: 'netflow9', keys: { plugins: 'nfprobe[nf]', nfprobe_version: 9, aggregate: NFPROBE_AGGREGATE }, extraFlows: 40, what: 'NetFlow v9 (nfprobe plugin) with IPv6 flows' },
    { name: 'pmacct-netflow9-sampled', format: 'netflow9', keys: { plugins: 'nfprobe[nf]', nfprobe_version: 9, aggregate: NFPROBE_AGGREGATE, sampling_rate: 10 }, extraFlows: 200, what: 'NetFlow v9 (nfprobe plugin), random 1-in-10 sampling (options data)' },
    { name: 'pmacct-ipfix', format: 'ipfix', keys: { plugins: 'nfprobe[nf]', nfprobe_version: 10, aggregate: NFPROBE_AGGREGATE }, extraFlows: 40, what: 'IPFIX (nfprobe plugin) with IPv6 flows' },
    { name: 'pmacct-ipfix-sampled', format: 'ipfix', keys: { plugins: 'nfprobe[nf]', nfprobe_version: 10, aggregate: NFPROBE_AGGREGATE, sampling_rate: 10 }, extraFlows: 200, what: 'IPFIX (nfprobe plugin), random 1-in-10 sampling (options data)' },
  ];
  const only = process.env.PMACCT_ONLY; // a name fragment, to rerun some while experimenting
  for (const run of runs.filter((r) => !only || r.name.includes(only))) {
    const input = join(work, `traffic-${run.extraFlows}.pcap`);
    writeFileSync(input, pcapFile(trafficFrames(run.extraFlows), 1_700_000_000));
    const { datagrams, config } = await runPmacctd(input, run.keys, 60_000);
    if (datagrams.length === 0) throw new Error(`${run.name}: pmacctd sent nothing`);
    const pcap = join(work, `${run.name}.pcap`);
    const sflow = run.format === 'sflow';
    writeFileSync(pcap, wrapDatagrams(datagrams, sflow ? 6343 : 2055));
    const decodeAs = sflow ? 'udp.port==6343,sflow' : 'udp.port==2055,cflow';
    const dissections = tsharkVerbose(pcap, decodeAs, sflow ? /^InMon sFlow/m : /^Cisco NetFlow\/IPFIX/m);
    const tshark = sflow ? tsharkSflowFields(pcap, decodeAs) : tsharkFlows(tsharkJson(pcap, decodeAs));
    writeVector(
      run.name,
      run.format,
      [`${run.what} exported by ${pmacct} (pmacctd -f pmacctd.conf: ${config}),`, `received on a UDP socket; dissected by ${tsharkVersion} (-d ${decodeAs}). Traffic: tests/vectors/telemetry/capture.ts trafficFrames(${run.extraFlows}).`],
      datagrams,
      dissections,
      sflow ? annotateSflow : (b) => annotateTemplated(b, run.format === 'ipfix'),
      { tshark },
    );
  }
}

// ---------- sFlow v5, hand-built from sflow_version_5.txt ----------
function rawHeaderRecord(a: Annotated, headerProtocol: number, frameLength: number, stripped: number, header: number[], what: string): void {
  a.word(1, 'flow record: enterprise 0, format 1 (raw packet header)').lengthWord('  record length');
  a.word(headerProtocol, `  header_protocol ${headerProtocol} (${headerProtocol === 1 ? 'Ethernet' : headerProtocol === 11 ? 'IPv4' : 'IPv6'})`);
  a.word(frameLength, `  frame_length ${frameLength}`).word(stripped, `  stripped ${stripped}`).word(header.length, `  header length ${header.length}`);
  for (let i = 0; i < header.length; i += 16) a.raw(header.slice(i, i + 16), i === 0 ? `  header: ${what}` : '  ...');
  const pad = (4 - (header.length % 4)) % 4;
  if (pad) a.raw(fill(pad, 0), '  padding to 4 bytes');
  a.close();
}

function sflowMixedIpv4Agent(): Annotated {
  const a = new Annotated();
  a.word(5, 'version 5').word(1, 'agent address type 1 (IPv4)').raw([192, 0, 2, 250], 'agent 192.0.2.250');
  a.word(3, 'sub_agent_id 3').word(4242, 'sequence 4242').word(987_654, 'uptime 987654 ms').word(7, 'samples 7');
  // 1. compact flow sample: raw Ethernet header (802.1Q VLAN 100, TCP SYN) + extended switch
  a.note('sample 1: flow_sample (format 1), compact');
  a.word(1, 'sample format: enterprise 0, format 1 (flow_sample)').lengthWord('sample length');
  a.word(17, '  sequence 17').word((0 << 24) | 12, '  source id: type 0 (ifIndex), index 12').word(1000, '  sampling rate 1-in-1000').word(17_000, '  sample pool 17000');
  a.word(0, '  drops 0').word(12, '  input: format 0, ifIndex 12').word(7, '  output: format 0, ifIndex 7').word(2, '  flow records 2');
  const syn = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00, ...ipv4(6, [203, 0, 113, 5], [173, 245, 53, 10], tcpSyn(51000, 443), { flags: 0x4000, ttl: 64 })];
  rawHeaderRecord(a, 1, syn.length + 4, 4, syn, 'Ethernet, 802.1Q VLAN 100, IPv4 203.0.113.5 -> 173.245.53.10 TCP 51000 -> 443 SYN, DF');
  a.word(1001, 'flow record: format 1001 (extended_switch)').lengthWord('  record length');
  a.word(100, '  src_vlan 100').word(0, '  src_priority 0').word(200, '  dst_vlan 200').word(0, '  dst_priority 0').close();
  a.close();
  // 2. expanded flow sample: raw IPv6 header with a hop-by-hop extension header + an unknown enterprise record
  a.note('sample 2: expanded_flow_sample (format 3)');
  a.word(3, 'sample format: enterprise 0, format 3 (expanded_flow_sample)').lengthWord('sample length');
  a.word(18, '  sequence 18').word(0, '  source id type 0').word(70_000, '  source id index 70000 (beyond 24 bits: expanded only)');
  a.word(512, '  sampling rate 1-in-512').word(36_864, '  sample pool').word(3, '  drops 3');
  a.word(0, '  input format 0 (ifIndex)').word(70_000, '  input value 70000').word(0, '  output format 0').word(1_000_000, '  output value 1000000').word(2, '  flow records 2');
  a.word((4413 << 12) | 5, 'flow record: enterprise 4413, format 5 (unknown: skipped by length)').lengthWord('  record length');
  a.raw([0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1], '  opaque').close();
  const v6 = ipv6(0, [17, 0, 1, 4, 0, 0, 0, 0, ...udp(5000, 53, fill(8, 0x62))], { trafficClass: 0xb8, flowLabel: 0x12345 });
  rawHeaderRecord(a, 12, v6.length, 0, v6, 'IPv6 2001:db8::1 -> 2400:cb00::10, hop-by-hop options, UDP 5000 -> 53, DSCP 46, flow label 0x12345');
  a.close();
  // 3. compact flow sample with only sampled_ipv4
  a.note('sample 3: flow_sample with a sampled_ipv4 record only');
  a.word(1, 'sample format: flow_sample').lengthWord('sample length');
  a.word(19, '  sequence 19').word(12, '  source id 0:12').word(2048, '  sampling rate 1-in-2048').word(40_000, '  sample pool').word(0, '  drops');
  a.word(12, '  input ifIndex 12').word((1 << 30) | 1, '  output: format 1 (discarded), reason 1').word(1, '  flow records 1');
  a.word(3, 'flow record: format 3 (sampled_ipv4)').lengthWord('  record length');
  a.word(1200, '  length 1200 (IP packet)').word(17, '  protocol 17').raw([198, 51, 100, 9], '  src 198.51.100.9').raw([173, 245, 53, 10], '  dst 173.245.53.10');
  a.word(123, '  src_port 123').word(44_000, '  dst_port 44000').word(0, '  tcp_flags 0').word(0x28, '  tos 0x28').close();
  a.close();
  // 4. compact flow sample with only sampled_ipv6
  a.note('sample 4: flow_sample with a sampled_ipv6 record only');
  a.word(1, 'sample format: flow_sample').lengthWord('sample length');
  a.word(20, '  sequence 20').word(12, '  source id 0:12').word(2048, '  sampling rate 1-in-2048').word(42_048, '  sample pool').word(0, '  drops');
  a.word(12, '  input ifIndex 12').word(0x3fffffff, '  output: format 0, 0x3fffffff (internal)').word(1, '  flow records 1');
  a.word(4, 'flow record: format 4 (sampled_ipv6)').lengthWord('  record length');
  a.word(60, '  length 60').word(6, '  protocol 6').raw(Buffer.from('20010db80000000000000000000000aa', 'hex'), '  src 2001:db8::aa').raw(Buffer.from('2400cb00000000000000000000000010', 'hex'), '  dst 2400:cb00::10');
  a.word(40_001, '  src_port 40001').word(443, '  dst_port 443').word(0x12, '  tcp_flags SYN|ACK').word(0, '  priority 0').close();
  a.close();
  // 5. counter sample, generic interface counters
  a.note('sample 5: counters_sample (format 2)');
  a.word(2, 'sample format: counters_sample').lengthWord('sample length');
  a.word(9, '  sequence 9').word(12, '  source id 0:12').word(1, '  counter records 1');
  genericCounters(a, 12, 10_000_000_000, 2 ** 40 + 5, 1_000_000_000, 7, 1, 2 ** 36, 500_000_000, 0, 0);
  a.close();
  // 6. expanded counter sample: generic counters + an Ethernet counters record (skipped)
  a.note('sample 6: expanded_counters_sample (format 4)');
  a.word(4, 'sample format: expanded_counters_sample').lengthWord('sample length');
  a.word(10, '  sequence 10').word(0, '  source id type 0').word(70_000, '  source id index 70000').word(2, '  counter records 2');
  a.word(2, 'counter record: format 2 (ethernet_counters: not decoded, skipped)').lengthWord('  record length');
  for (let i = 0; i < 13; i++) a.word(0, '  dot3 counter');
  a.close();
  genericCounters(a, 70_000, 100_000_000_000, 123_456_789_012, 3_000_000_000, 0, 0, 9_876_543_210, 2_000_000_000, 5, 0);
  a.close();
  // 7. a sample of another enterprise: skipped by its length
  a.note('sample 7: enterprise 8800 format 1 (unknown: skipped by length)');
  a.word((8800 << 12) | 1, 'sample format: enterprise 8800, format 1').lengthWord('sample length');
  a.raw([1, 2, 3, 4, 5, 6, 7, 8], '  opaque').close();
  return a;
}

function genericCounters(a: Annotated, ifIndex: number, speed: number, inOctets: number, inUcast: number, inDiscards: number, inErrors: number, outOctets: number, outUcast: number, outDiscards: number, outErrors: number): void {
  const u64 = (v: number): number[] => [...be32(Math.floor(v / 2 ** 32)), ...be32(v % 2 ** 32)];
  a.word(1, 'counter record: format 1 (if_counters)').lengthWord('  record length');
  a.word(ifIndex, `  ifIndex ${ifIndex}`).word(6, '  ifType 6 (ethernetCsmacd)').raw(u64(speed), `  ifSpeed ${speed}`).word(1, '  ifDirection 1 (full duplex)').word(3, '  ifStatus 3 (admin up, oper up)');
  a.raw(u64(inOctets), `  ifInOctets ${inOctets}`).word(inUcast, `  ifInUcastPkts ${inUcast}`).word(0, '  ifInMulticastPkts').word(0, '  ifInBroadcastPkts');
  a.word(inDiscards, `  ifInDiscards ${inDiscards}`).word(inErrors, `  ifInErrors ${inErrors}`).word(0, '  ifInUnknownProtos');
  a.raw(u64(outOctets), `  ifOutOctets ${outOctets}`).word(outUcast, `  ifOutUcastPkts ${outUcast}`).word(0, '  ifOutMulticastPkts').word(0, '  ifOutBroadcastPkts');
  a.word(outDiscards, `  ifOutDiscards ${outDiscards}`).word(outErrors, `  ifOutErrors ${outErrors}`).word(0, '  ifPromiscuousMode 0').close();
}

function sflowIpv6AgentFragments(): Annotated {
  const a = new Annotated();
  a.word(5, 'version 5').word(2, 'agent address type 2 (IPv6)').raw(Buffer.from('20010db80000000000000000000000fe', 'hex'), 'agent 2001:db8::fe');
  a.word(0, 'sub_agent_id 0').word(1, 'sequence 1').word(5_000, 'uptime 5000 ms').word(3, 'samples 3');
  const frag1 = [...ETH_V4, ...ipv4(17, [198, 51, 100, 20], [173, 245, 53, 10], [...udp(4444, 53, fill(1472, 0x41))].slice(0, 1480), { flags: 0x2000 })];
  // the header record keeps the first 128 bytes, as agents do (total length still says 1500)
  const frag2 = [...ETH_V4, ...ipv4(17, [198, 51, 100, 20], [173, 245, 53, 10], fill(28, 0x41), { flags: 185 })];
  const icmp6 = [...ETH_V6, ...ipv6(58, [128, 0, 0, 0, 0, 1, 0, 1, ...fill(8, 0x65)], { src: '20010db80000000000000000000000bb' })];
  const samples: Array<[number[], string, number]> = [
    [frag1.slice(0, 128), 'IPv4 first fragment (MF, offset 0) UDP 4444 -> 53, snapped to 128 bytes', 1518],
    [frag2, 'IPv4 last fragment (offset 185 = 1480 bytes, MF clear): no transport header', 66],
    [icmp6, 'IPv6 ICMPv6 echo request 2001:db8::bb -> 2400:cb00::10', 74],
  ];
  samples.forEach(([h, what, frameLength], i) => {
    a.note(`sample ${i + 1}: flow_sample`);
    a.word(1, 'sample format: flow_sample').lengthWord('sample length');
    a.word(100 + i, `  sequence ${100 + i}`).word(3, '  source id 0:3').word(256, '  sampling rate 1-in-256').word(256 * (i + 1), '  sample pool').word(0, '  drops');
    a.word(3, '  input ifIndex 3').word(4, '  output ifIndex 4').word(1, '  flow records 1');
    rawHeaderRecord(a, 1, frameLength, 4, h, what);
    a.close();
  });
  return a;
}

const SFLOW_FIELDS = ['sflow_245.agent', 'sflow_245.agent.v6', 'sflow_245.sub_agent_id', 'sflow_245.numsamples', 'sflow.flow_sample.sampling_rate', 'sflow_245.header.frame_length', 'sflow_245.vlan.in', 'sflow_245.ipv4_src', 'sflow_245.ipv4_dst', 'sflow_245.ipv6_src', 'sflow_245.ipv6_dst', 'sflow_245.ifindex', 'ip.src', 'ipv6.src', 'tcp.srcport', 'udp.srcport', 'ip.flags.mf', 'ip.frag_offset', 'icmpv6.type'];

function captureSflow(): void {
  const tsharkVersion = versions()[1]!;
  const vectors: Array<[string, Annotated, string]> = [
    ['sflow-mixed-ipv4-agent', sflowMixedIpv4Agent(), 'compact and expanded flow samples (raw Ethernet/IPv6 headers, sampled IPv4/IPv6, extended switch, unknown enterprise record), compact and expanded counter samples, an unknown sample'],
    ['sflow-ipv6-agent-fragments', sflowIpv6AgentFragments(), 'IPv6 agent; IPv4 first and last fragments and an ICMPv6 echo in raw Ethernet headers'],
  ];
  for (const [name, a, what] of vectors) {
    const bytes = Uint8Array.from(a.bytes);
    const pcap = join(work, `${name}.pcap`);
    writeFileSync(pcap, wrapDatagrams([bytes], 6343));
    const decodeAs = 'udp.port==6343,sflow';
    const dissection = tsharkVerbose(pcap, decodeAs, /^InMon sFlow/m)[0] ?? '';
    const fields = execFileSync('tshark', ['-r', pcap, '-d', decodeAs, '-T', 'fields', '-E', 'separator=|', '-E', 'aggregator=,', ...SFLOW_FIELDS.flatMap((f) => ['-e', f])], { encoding: 'utf8' }).trim().split('|');
    const tshark = Object.fromEntries(SFLOW_FIELDS.map((f, i) => [f, fields[i] ?? '']));
    const lines = [
      `# source: hand-built from sflow_version_5.txt by tests/vectors/telemetry/capture.ts (${what});`,
      `#         wrapped in UDP to port 6343 and dissected by ${tsharkVersion} (-d udp.port==6343,sflow)`,
      '# format: sflow',
      `# received-ms: ${RECEIVED_MS}`,
      '# datagrams: 1',
      `## datagram 1 (${bytes.length} bytes)`,
      '# tshark dissection:',
      comment(dissection),
      ...a.lines,
    ];
    writeFileSync(join(outDir, `${name}.hex`), `${lines.join('\n')}\n`);
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify({ ...decodeVector('sflow', [bytes], RECEIVED_MS), tshark }, null, 1)}\n`);
    console.log(`wrote ${name}`);
  }
}

// ---------- NetFlow v9 / IPFIX features no softflowd export shows, hand-built ----------
type Field = [id: number, length: number, name: string, enterprise?: number];

function templateSet(a: Annotated, ipfix: boolean, templates: Array<{ id: number; fields: Field[]; scope?: number }>, options: boolean): void {
  const start = a.offset;
  const setId = ipfix ? (options ? 3 : 2) : options ? 1 : 0;
  a.half(setId, `set id ${setId}: ${options ? 'options template' : 'template'}`);
  const len = a.length16('set length');
  for (const t of templates) {
    if (!options) a.half(t.id, `template ${t.id}`).half(t.fields.length, `field count ${t.fields.length}`);
    else if (ipfix) a.half(t.id, `options template ${t.id}`).half(t.fields.length, `field count ${t.fields.length}`).half(t.scope ?? 1, `scope field count ${t.scope ?? 1}`);
    else a.half(t.id, `options template ${t.id}`).half((t.scope ?? 1) * 4, `option scope length ${(t.scope ?? 1) * 4}`).half((t.fields.length - (t.scope ?? 1)) * 4, `option length ${(t.fields.length - (t.scope ?? 1)) * 4}`);
    t.fields.forEach(([id, flen, name, pen], i) => {
      const scope = options && i < (t.scope ?? 1) ? 'scope ' : '';
      if (pen !== undefined) a.half(0x8000 | id, `  ${scope}${name}: enterprise bit + element ${id}`).half(flen, `  length ${flen === 65535 ? 'variable' : flen}`).word(pen, `  enterprise number ${pen}`);
      else a.half(id, `  ${scope}${name} (${id})`).half(flen, `  length ${flen === 65535 ? 'variable' : flen}${flen < 4 && [1, 2, 85, 86].includes(id) ? ' (reduced-size)' : ''}`);
    });
  }
  while (!ipfix && (a.offset - start) % 4 !== 0) a.byte(0, 'padding');
  a.patch(len, a.offset - start);
}

function dataSet(a: Annotated, ipfix: boolean, id: number, records: Array<() => void>): void {
  const start = a.offset;
  a.half(id, `set id ${id}: data`);
  const len = a.length16('set length');
  records.forEach((r, i) => {
    a.note(`record ${i + 1}`);
    r();
  });
  while (!ipfix && (a.offset - start) % 4 !== 0) a.byte(0, 'padding');
  a.patch(len, a.offset - start);
}

const u64 = (v: number): number[] => [...be32(Math.floor(v / 2 ** 32)), ...be32(v % 2 ** 32)];
const v6 = (text: string): number[] => Array.from(Buffer.from(text, 'hex'));

function ipfixFeatures(): Annotated[] {
  const T_OPT: Field[] = [
    [302, 2, 'selectorId'],
    [305, 4, 'samplingPacketInterval'],
    [306, 4, 'samplingPacketSpace'],
  ];
  const T_OPT2: Field[] = [
    [302, 2, 'selectorId'],
    [309, 4, 'samplingSize'],
    [310, 4, 'samplingPopulation'],
  ];
  const T600: Field[] = [
    [27, 16, 'sourceIPv6Address'],
    [28, 16, 'destinationIPv6Address'],
    [4, 1, 'protocolIdentifier'],
    [7, 2, 'sourceTransportPort'],
    [11, 2, 'destinationTransportPort'],
    [6, 2, 'tcpControlBits'],
    [2, 2, 'packetDeltaCount'],
    [1, 4, 'octetDeltaCount'],
    [152, 8, 'flowStartMilliseconds'],
    [153, 8, 'flowEndMilliseconds'],
    [31, 3, 'flowLabelIPv6 (reduced to 3 bytes)'],
    [195, 1, 'ipDiffServCodePoint'],
    [192, 1, 'ipTTL'],
    [61, 1, 'flowDirection'],
    [302, 2, 'selectorId'],
    [1, 4, 'enterprise element', 32473],
    [2, 65535, 'enterprise variable-length element', 32473],
    [58, 2, 'vlanId'],
    [10, 2, 'ingressInterface'],
    [14, 2, 'egressInterface'],
  ];
  const T601: Field[] = [
    [8, 4, 'sourceIPv4Address'],
    [12, 4, 'destinationIPv4Address'],
    [4, 1, 'protocolIdentifier'],
    [176, 1, 'icmpTypeIPv4'],
    [177, 1, 'icmpCodeIPv4'],
    [86, 8, 'packetTotalCount'],
    [85, 8, 'octetTotalCount'],
    [150, 4, 'flowStartSeconds'],
    [151, 4, 'flowEndSeconds'],
    [197, 1, 'fragmentFlags'],
    [88, 2, 'fragmentOffset'],
    [5, 1, 'ipClassOfService'],
    [60, 1, 'ipVersion'],
  ];
  const T602: Field[] = [
    [8, 4, 'sourceIPv4Address'],
    [12, 4, 'destinationIPv4Address'],
    [4, 1, 'protocolIdentifier'],
    [180, 2, 'udpSourcePort'],
    [181, 2, 'udpDestinationPort'],
    [2, 1, 'packetDeltaCount'],
    [1, 2, 'octetDeltaCount'],
    [155, 8, 'flowEndMicroseconds'],
  ];
  const message = (body: (a: Annotated) => void, exportTime: number, seq: number): Annotated => {
    const a = new Annotated();
    a.half(10, 'version 10');
    const len = a.length16('message length');
    a.word(exportTime, `export time ${exportTime}`).word(seq, `sequence ${seq}`).word(42, 'observation domain 42');
    body(a);
    a.patch(len, a.offset);
    return a;
  };
  const d1 = message((a) => {
    templateSet(a, true, [{ id: 500, fields: T_OPT, scope: 1 }, { id: 501, fields: T_OPT2, scope: 1 }], true);
    dataSet(a, true, 500, [() => a.half(7, 'selectorId 7').word(1, 'samplingPacketInterval 1').word(99, 'samplingPacketSpace 99 (1-in-100)')]);
    dataSet(a, true, 501, [() => a.half(8, 'selectorId 8').word(1, 'samplingSize 1').word(50, 'samplingPopulation 50 (1-in-50)')]);
    templateSet(a, true, [{ id: 600, fields: T600 }, { id: 601, fields: T601 }], false);
    const flow600 = (src: string, sport: number, selector: number, flags: number, packets: number, octets: number, label: number, dscp: number, varBytes: number[]): (() => void) => () => {
      a.raw(v6(src), 'sourceIPv6Address').raw(v6('2400cb00000000000000000000000010'), 'destinationIPv6Address 2400:cb00::10').byte(6, 'protocol 6');
      a.half(sport, `sport ${sport}`).half(443, 'dport 443').half(flags, `tcpControlBits 0x${flags.toString(16)}`).half(packets, `packets ${packets}`).word(octets, `octets ${octets}`);
      a.raw(u64(1_700_000_000_000), 'flowStartMilliseconds').raw(u64(1_700_000_001_500), 'flowEndMilliseconds 1700000001500');
      a.raw([(label >> 16) & 0xff, (label >> 8) & 0xff, label & 0xff], `flowLabel 0x${label.toString(16)}`).byte(dscp, `DSCP ${dscp}`).byte(57, 'TTL 57').byte(0, 'flowDirection 0 (ingress)');
      a.half(selector, `selectorId ${selector}`).word(0xdeadbeef, 'enterprise element (skipped)');
      if (varBytes.length < 255) a.byte(varBytes.length, `variable length ${varBytes.length}`);
      if (varBytes.length) a.raw(varBytes, 'variable-length value (skipped)');
      a.half(100, 'vlanId 100').half(3, 'ingressInterface 3').half(4, 'egressInterface 4');
    };
    dataSet(a, true, 600, [flow600('20010db80000000000000000000000aa', 40001, 7, 0x12, 5, 400, 0xabcde, 46, []), flow600('20010db80000000000000000000000bb', 40002, 8, 0x02, 1, 60, 0x1, 0, [1, 2, 3])]);
    const flow601 = (src: number[], type: number, packets: number, octets: number, fragFlags: number, fragOffset: number, tos: number): (() => void) => () => {
      a.raw(src, `sourceIPv4Address ${src.join('.')}`).raw([173, 245, 53, 10], 'destinationIPv4Address').byte(1, 'protocol 1 (ICMP)').byte(type, `icmpType ${type}`).byte(0, 'icmpCode 0');
      a.raw(u64(packets), `packetTotalCount ${packets}`).raw(u64(octets), `octetTotalCount ${octets}`).word(1_700_000_000, 'flowStartSeconds').word(1_700_000_002, 'flowEndSeconds 1700000002');
      a.byte(fragFlags, `fragmentFlags 0x${fragFlags.toString(16)}`).half(fragOffset, `fragmentOffset ${fragOffset}`).byte(tos, `ipClassOfService 0x${tos.toString(16)}`).byte(4, 'ipVersion 4');
    };
    dataSet(a, true, 601, [flow601([192, 0, 2, 1], 8, 10, 840, 0x40, 0, 0xb8), flow601([192, 0, 2, 2], 0, 2, 3000, 0x20, 0, 0)]);
  }, 1_700_000_005, 1);
  const d2 = message((a) => {
    templateSet(a, true, [{ id: 602, fields: T602 }], false);
    // NTP time (RFC 7011 §6.1.9): seconds since 1900, then a 32-bit fraction (0x80000000 = .5 s)
    dataSet(a, true, 602, [() => a.raw([198, 51, 100, 1], 'sourceIPv4Address').raw([173, 245, 53, 10], 'destinationIPv4Address').byte(17, 'protocol 17').half(53, 'udpSourcePort 53').half(4444, 'udpDestinationPort 4444').byte(3, 'packets 3 (1 byte)').half(300, 'octets 300 (2 bytes)').word(1_700_000_003 + 2_208_988_800, 'flowEndMicroseconds: NTP seconds').word(0x80000000, '  NTP fraction .5 s')]);
    dataSet(a, true, 600, [() => {
      a.raw(v6('20010db80000000000000000000000cc'), 'sourceIPv6Address').raw(v6('2400cb00000000000000000000000010'), 'destinationIPv6Address').byte(17, 'protocol 17').half(53, 'sport').half(53, 'dport').half(0, 'flags').half(1, 'packets 1').word(100, 'octets 100');
      a.raw(u64(1_700_000_004_000), 'flowStartMilliseconds').raw(u64(1_700_000_004_000), 'flowEndMilliseconds').raw([0, 0, 0], 'flowLabel 0').byte(0, 'DSCP').byte(64, 'TTL').byte(1, 'flowDirection 1 (egress)');
      a.half(9, 'selectorId 9 (no options data for it: rate unknown, 1)').word(0, 'enterprise element').byte(255, 'variable length: 255 + 2-byte length').half(260, 'length 260').raw(fill(260, 0x7a), 'variable-length value (skipped)');
      a.half(0, 'vlanId 0').half(3, 'ingressInterface').half(4, 'egressInterface');
    }]);
    const s = a.offset;
    a.half(2, 'set id 2: template withdrawal');
    const len = a.length16('set length');
    a.half(601, 'template id 601').half(0, 'field count 0: withdrawn (RFC 7011 §8.1)');
    a.patch(len, a.offset - s);
  }, 1_700_000_010, 3);
  return [d1, d2];
}

function netflow9Features(): Annotated[] {
  const header = (a: Annotated, uptime: number, secs: number, seq: number, count: number): void => {
    a.half(9, 'version 9').half(count, `count ${count} (templates + options + data records)`).word(uptime, `sysUptime ${uptime} ms`).word(secs, `unix_secs ${secs}`).word(seq, `package sequence ${seq}`).word(77, 'source id 77');
  };
  const T_OPT: Field[] = [
    [1, 4, 'System scope'],
    [48, 1, 'FLOW_SAMPLER_ID'],
    [49, 1, 'FLOW_SAMPLER_MODE'],
    [50, 4, 'FLOW_SAMPLER_RANDOM_INTERVAL'],
  ];
  const T701: Field[] = [
    [8, 4, 'IPV4_SRC_ADDR'],
    [12, 4, 'IPV4_DST_ADDR'],
    [4, 1, 'PROTOCOL'],
    [7, 2, 'L4_SRC_PORT'],
    [11, 2, 'L4_DST_PORT'],
    [6, 1, 'TCP_FLAGS'],
    [1, 8, 'IN_BYTES (8 bytes)'],
    [2, 8, 'IN_PKTS (8 bytes)'],
    [22, 4, 'FIRST_SWITCHED'],
    [21, 4, 'LAST_SWITCHED'],
    [10, 2, 'INPUT_SNMP (2 bytes)'],
    [14, 2, 'OUTPUT_SNMP (2 bytes)'],
    [48, 1, 'FLOW_SAMPLER_ID'],
    [5, 1, 'SRC_TOS'],
    [61, 1, 'DIRECTION'],
    [40000, 4, 'vendor field type 40000 (skipped)'],
  ];
  const T702: Field[] = [
    [27, 16, 'IPV6_SRC_ADDR'],
    [28, 16, 'IPV6_DST_ADDR'],
    [31, 3, 'IPV6_FLOW_LABEL'],
    [4, 1, 'PROTOCOL'],
    [139, 2, 'ICMP_TYPE_IPV6'],
    [1, 4, 'IN_BYTES'],
    [2, 4, 'IN_PKTS'],
    [21, 4, 'LAST_SWITCHED'],
    [34, 4, 'SAMPLING_INTERVAL (in the record itself)'],
  ];
  const d1 = new Annotated();
  header(d1, 3_600_000, 1_700_000_000, 10, 7);
  templateSet(d1, false, [{ id: 700, fields: T_OPT, scope: 1 }], true);
  dataSet(d1, false, 700, [() => d1.word(0, 'scope System 0').byte(3, 'FLOW_SAMPLER_ID 3').byte(2, 'FLOW_SAMPLER_MODE 2 (random)').word(1000, 'FLOW_SAMPLER_RANDOM_INTERVAL 1000')]);
  templateSet(d1, false, [{ id: 701, fields: T701 }, { id: 702, fields: T702 }], false);
  const rec701 = (d1: Annotated, src: number[], sport: number, dport: number, flags: number, bytes: number, pkts: number, last: number, sampler: number, tos: number, dir: number): (() => void) => () => {
    d1.raw(src, `IPV4_SRC_ADDR ${src.join('.')}`).raw([173, 245, 53, 10], 'IPV4_DST_ADDR').byte(6, 'PROTOCOL 6').half(sport, `L4_SRC_PORT ${sport}`).half(dport, `L4_DST_PORT ${dport}`).byte(flags, `TCP_FLAGS 0x${flags.toString(16)}`);
    d1.raw(u64(bytes), `IN_BYTES ${bytes}`).raw(u64(pkts), `IN_PKTS ${pkts}`).word(last - 1000, 'FIRST_SWITCHED').word(last, `LAST_SWITCHED ${last} (uptime ms)`).half(5, 'INPUT_SNMP 5').half(6, 'OUTPUT_SNMP 6');
    d1.byte(sampler, `FLOW_SAMPLER_ID ${sampler}`).byte(tos, `SRC_TOS 0x${tos.toString(16)}`).byte(dir, `DIRECTION ${dir}`).word(0x01020304, 'vendor field (skipped)');
  };
  dataSet(d1, false, 701, [rec701(d1, [203, 0, 113, 5], 51000, 443, 0x02, 60_000, 1000, 3_599_000, 3, 0x00, 0), rec701(d1, [203, 0, 113, 6], 51001, 80, 0x18, 1_500_000, 1000, 3_599_500, 4, 0x28, 1)]);
  dataSet(d1, false, 702, [() => {
    d1.raw(v6('20010db8000000000000000000000001'), 'IPV6_SRC_ADDR 2001:db8::1').raw(v6('2400cb00000000000000000000000010'), 'IPV6_DST_ADDR').raw([0x01, 0x23, 0x45], 'IPV6_FLOW_LABEL 0x12345').byte(58, 'PROTOCOL 58');
    d1.half(0x8000, 'ICMP_TYPE_IPV6 128/0').word(1040, 'IN_BYTES').word(10, 'IN_PKTS').word(3_590_000, 'LAST_SWITCHED').word(64, 'SAMPLING_INTERVAL 64');
  }]);
  // the second packet: sysUptime wrapped past 2^32 ms since the first flow (32-bit arithmetic)
  const d2 = new Annotated();
  header(d2, 5_000, 1_700_004_000, 11, 1);
  dataSet(d2, false, 701, [rec701(d2, [203, 0, 113, 7], 51002, 22, 0x10, 400, 4, 0xffffff00, 3, 0, 0)]);
  return [d1, d2];
}

function captureHandmadeTemplated(): void {
  const tsharkVersion = versions()[1];
  const vectors: Array<[string, 'ipfix' | 'netflow9', Annotated[], string]> = [
    ['ipfix-handmade-features', 'ipfix', ipfixFeatures(), 'options data with selector ids (samplingPacketInterval/Space, samplingSize/Population), IPv6 flows with reduced-size counters, ms timestamps, 3-byte flow label, enterprise fixed and variable-length fields (1- and 3-byte lengths), ICMP type/code IEs, total counters, second timestamps, fragment flags, NTP microsecond time, a template withdrawal'],
    ['netflow9-handmade-features', 'netflow9', netflow9Features(), 'sampler options (FLOW_SAMPLER_ID/MODE/RANDOM_INTERVAL) and data naming the sampler, 8-byte counters, 2-byte interfaces, a vendor field type, IPv6 with a 3-byte flow label and ICMPv6 type, SAMPLING_INTERVAL inside a record, sysUptime wrap'],
  ];
  for (const [name, format, parts, what] of vectors) {
    const datagrams = parts.map((p) => p.toBytes());
    const pcap = join(work, `${name}.pcap`);
    writeFileSync(pcap, wrapDatagrams(datagrams, 2055));
    const decodeAs = 'udp.port==2055,cflow';
    const dissections = tsharkVerbose(pcap, decodeAs, /^Cisco NetFlow\/IPFIX/m);
    const flows = tsharkFlows(tsharkJson(pcap, decodeAs));
    const lines = [
      `# source: hand-built from ${format === 'ipfix' ? 'RFC 7011 / IANA IPFIX entities' : 'RFC 3954'} by tests/vectors/telemetry/capture.ts: ${what};`,
      `#         wrapped in UDP to port 2055 and dissected by ${tsharkVersion} (-d udp.port==2055,cflow)`,
      `# format: ${format}`,
      `# received-ms: ${RECEIVED_MS}`,
      `# datagrams: ${datagrams.length}`,
    ];
    parts.forEach((p, i) => lines.push(`## datagram ${i + 1} (${p.bytes.length} bytes)`, '# tshark dissection:', comment(dissections[i] ?? ''), p.text()));
    writeFileSync(join(outDir, `${name}.hex`), `${lines.join('\n')}\n`);
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify({ ...decodeVector(format, datagrams, RECEIVED_MS), tshark: flows }, null, 1)}\n`);
    console.log(`wrote ${name}`);
  }
}

/** Groups to regenerate: all by default, or those named on the command line. */
const GROUPS = { softflowd: /^softflowd-/, pmacct: /^pmacct-/, sflow: /^sflow-/, handmade: /^(ipfix|netflow9)-handmade-/ } as const;

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((a): a is keyof typeof GROUPS => a in GROUPS);
  const groups = asked.length > 0 ? asked : (Object.keys(GROUPS) as Array<keyof typeof GROUPS>);
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(outDir)) if (groups.some((g) => GROUPS[g].test(f))) rmSync(join(outDir, f));
  try {
    if (groups.includes('softflowd')) await captureSoftflowd();
    if (groups.includes('pmacct')) await capturePmacct();
    if (groups.includes('sflow')) captureSflow();
    if (groups.includes('handmade')) captureHandmadeTemplated();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
