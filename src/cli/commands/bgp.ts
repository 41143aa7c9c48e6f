// `failsmall bgp announce|decode`: announce a rule file over BGP Flowspec to one or more peers,
// or decode BGP messages / Flowspec NLRI from hex or a file. Thin: the codec, FSM and speaker
// live in src/bgp and src/flowspec; this file reads files and arguments, and prints.
import { existsSync, readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import {
  type BgpMessage,
  type DecodedMessage,
  FlowspecSpeaker,
  type PathAttribute,
  decodeBgpMessage,
  splitMessages,
} from '../../bgp/index.js';
import {
  type FlowspecExtCommunity,
  type Ipv6OffsetLayout,
  formatExtCommunity,
  formatFlowspecNlri,
  flowspecToRule,
  readFlowspecNlriList,
} from '../../flowspec/index.js';
import { ByteReader } from '../../lib/byte-reader.js';
import { bytesToHex, hexToBytes } from '../../lib/byte-writer.js';
import { parseAddress } from '../../lib/prefix.js';
import { type Finding, type RuleFileFormat, parseRuleFile } from '../../rules/index.js';
import { RejectedError, UsageError } from '../exit-codes.js';
import { printJson, printLines } from '../output.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parsePeer(text: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text) ?? /^([^:]+)$/.exec(text);
  if (!m) throw new UsageError(`--peer: expected HOST:PORT, found "${text}"`);
  const host = m[1]!;
  const port = m[2] === undefined ? 179 : Number(m[2]);
  if (!parseAddress(host)) throw new UsageError(`--peer: "${host}" is not an IP address`);
  if (port < 1 || port > 65535) throw new UsageError(`--peer: port ${port} is not in 1..65535`);
  return { host, port };
}

function parseAs(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 0xffffffff) throw new UsageError(`${what}: expected an AS number in 1..4294967295, found "${text}"`);
  return Number(text);
}

function parseSeconds(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${what}: expected seconds >= 0, found "${text}"`);
  return n;
}

function formatFindingLine(f: Finding, file: string): string {
  const where = f.line !== undefined ? ` at ${file}:${f.line}${f.column !== undefined ? `:${f.column}` : ''}` : '';
  return `${f.severity} ${f.code}${f.rule !== undefined ? ` rule=${f.rule}` : ''}${f.component ? ` ${f.component}` : ''}${where}: ${f.message}`;
}

interface AnnounceOptions {
  peer: string[];
  format: RuleFileFormat | 'auto';
  localAs: string;
  peerAs?: string;
  routerId: string;
  holdTime: string;
  localAddress?: string;
  timeout: string;
  duration?: string;
  once?: boolean;
  json?: boolean;
  ipv6OffsetLayout: Ipv6OffsetLayout;
}

async function announce(file: string, opts: AnnounceOptions): Promise<void> {
  if (opts.peer.length === 0) throw new UsageError('--peer HOST:PORT is required (repeat it for several peers)');
  const peers = opts.peer.map(parsePeer);
  const localAs = parseAs(opts.localAs, '--local-as');
  const peerAs = opts.peerAs !== undefined ? parseAs(opts.peerAs, '--peer-as') : undefined;
  const holdTimeSec = parseSeconds(opts.holdTime, '--hold-time');
  if (holdTimeSec !== 0 && holdTimeSec < 3) throw new UsageError('--hold-time: 0 or at least 3 seconds (RFC 4271 §4.2)');
  const timeoutSec = parseSeconds(opts.timeout, '--timeout');
  const durationSec = opts.duration !== undefined ? parseSeconds(opts.duration, '--duration') : undefined;
  if (!parseAddress(opts.routerId) || parseAddress(opts.routerId)!.length !== 4) throw new UsageError(`--router-id: expected an IPv4 address, found "${opts.routerId}"`);

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read rule file ${file}: ${(e as Error).message}`);
  }
  const parsed = parseRuleFile(text, { format: opts.format, fileName: file, nowMs: Date.now() });
  const parseErrors = parsed.findings.filter((f) => f.severity === 'error');
  if (parseErrors.length > 0) {
    if (opts.json) printJson({ file, findings: parsed.findings });
    else printLines(parsed.findings.map((f) => formatFindingLine(f, file)));
    throw new RejectedError(`${parseErrors.length} error(s) in ${file}; nothing announced`);
  }

  const speaker = new FlowspecSpeaker({ localAs, routerId: opts.routerId, holdTimeSec, connectRetrySec: 2, idleHoldSec: 2 });
  const ids = peers.map((p) => `${p.host}:${p.port}`);
  peers.forEach((p, i) =>
    speaker.addPeer({
      id: ids[i]!,
      address: p.host,
      port: p.port,
      ipv6OffsetLayout: opts.ipv6OffsetLayout,
      ...(peerAs !== undefined ? { peerAs } : {}),
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    }),
  );
  const report = speaker.announce(parsed.rules);
  const log = (line: string): void => {
    if (!opts.json) process.stderr.write(`${line}\n`);
  };
  for (const r of report.rejected) log(`error ${r.error.code} rule=${r.ruleId} ${r.error.path}: ${r.error.message}`);
  try {
    const established = await Promise.all(
      ids.map((id) =>
        speaker.waitEstablished(id, timeoutSec * 1000).then(
          (n) => {
            log(`${id}: established (peer AS ${n.peerAs}, hold ${n.holdTimeSec}s, families ${n.families.map((f) => `${f.afi}/${f.safi}`).join(' ')})`);
            return true;
          },
          (e: Error) => {
            log(`${id}: ${e.message}`);
            return false;
          },
        ),
      ),
    );
    await speaker.flush();
    const sent = parsed.rules.length - report.rejected.length;
    log(`announced ${sent} rule(s) from ${file} to ${established.filter(Boolean).length}/${ids.length} peer(s)`);
    if (opts.json) {
      printJson({
        file,
        format: parsed.format,
        announced: sent,
        rejected: report.rejected,
        warnings: parsed.findings,
        peers: speaker.status().map((s) => ({ id: s.id, established: s.established, advertised: s.advertised, peerAs: s.negotiated?.peerAs, lastDown: s.lastDown })),
      });
    }
    if (!opts.once && established.some(Boolean)) {
      // Keep the session (and so the routes) up until the duration ends or we are interrupted.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          process.off('SIGINT', done);
          process.off('SIGTERM', done);
          resolve();
        };
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
        if (durationSec !== undefined && durationSec > 0) setTimeout(done, durationSec * 1000).unref();
        else if (durationSec === 0) done();
      });
    }
    if (report.rejected.length > 0 || established.some((e) => !e)) {
      throw new RejectedError(`${report.rejected.length} rule(s) rejected, ${established.filter((e) => !e).length} peer(s) not established`);
    }
  } finally {
    await speaker.stop('failsmall bgp announce done');
  }
}

// ---- decode ----------------------------------------------------------------------------------

function readInput(input: string): Uint8Array {
  if (existsSync(input)) {
    const raw = readFileSync(input);
    const text = raw.toString('utf8');
    // Annotated hex (with # comments) or raw binary.
    if (/^[\s0-9a-fA-F]*$/.test(text.replace(/#[^\n]*/g, ''))) return hexToBytes(text);
    return new Uint8Array(raw);
  }
  const clean = input.replace(/^0x/i, '').replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})+$/.test(clean)) throw new UsageError(`"${input.slice(0, 40)}" is neither a file nor an even number of hex digits`);
  return hexToBytes(clean);
}

const ATTR_NAMES: Record<number, string> = { 1: 'ORIGIN', 2: 'AS_PATH', 3: 'NEXT_HOP', 4: 'MED', 5: 'LOCAL_PREF', 6: 'ATOMIC_AGGREGATE', 7: 'AGGREGATOR', 8: 'COMMUNITIES', 14: 'MP_REACH_NLRI', 15: 'MP_UNREACH_NLRI', 16: 'EXTENDED_COMMUNITIES', 17: 'AS4_PATH', 18: 'AS4_AGGREGATOR' };

function describeAttribute(a: PathAttribute): string | undefined {
  const name = ATTR_NAMES[a.code] ?? `attribute ${a.code}`;
  if ('unknown' in a) return `${name} 0x${a.value}`;
  if ('origin' in a) return `${name} ${a.origin}`;
  if ('segments' in a) return `${name} ${a.segments.map((s) => (s.type === 'sequence' ? s.asns.join(' ') : `{${s.asns.join(',')}}`)).join(' ') || '(empty)'}`;
  if ('nextHop' in a && a.code === 3) return `${name} ${a.nextHop}`;
  if ('med' in a) return `${name} ${a.med}`;
  if ('localPref' in a) return `${name} ${a.localPref}`;
  if ('communities' in a && a.code === 16) return `${name} ${(a.communities as FlowspecExtCommunity[]).map(formatExtCommunity).join(', ')}`;
  if ('communities' in a) return `${name} ${(a.communities as string[]).join(' ')}`;
  if (a.code === 14 || a.code === 15) return undefined;
  return name;
}

function describeMessage(i: number, bytes: Uint8Array, d: DecodedMessage): string[] {
  const m: BgpMessage = d.message;
  const lines = [`message ${i}: ${m.type.toUpperCase()} (${bytes.length} bytes)`];
  switch (m.type) {
    case 'open':
      lines.push(`  version ${m.version}, my AS ${m.myAs}, hold ${m.holdTimeSec}s, id ${m.bgpId}`);
      for (const c of m.capabilities) lines.push(`  capability ${c.kind}${'afi' in c ? ` ${c.afi}/${c.safi}` : ''}${'asn' in c ? ` ${c.asn}` : ''}${c.kind === 'graceful-restart' ? ` restart ${c.restartTimeSec}s` : ''}${c.kind === 'unknown' ? ` code ${c.code} 0x${c.value}` : ''}`);
      break;
    case 'notification':
      lines.push(`  code ${m.code}/${m.subcode}${m.data ? ` data 0x${m.data}` : ''}`);
      break;
    case 'route-refresh':
      lines.push(`  AFI ${m.afi} SAFI ${m.safi} subtype ${m.subtype}`);
      break;
    case 'keepalive':
      break;
    case 'update': {
      if (m.withdrawn.length) lines.push(`  withdrawn ${m.withdrawn.join(' ')}`);
      if (m.nlri.length) lines.push(`  nlri ${m.nlri.join(' ')}`);
      const attrs = m.attributes.map(describeAttribute).filter((x): x is string => x !== undefined);
      if (attrs.length) lines.push(`  ${attrs.join('; ')}`);
      const ext = m.attributes.find((a) => a.code === 16 && 'communities' in a);
      const communities = (ext && 'communities' in ext ? ext.communities : []) as FlowspecExtCommunity[];
      for (const a of m.attributes) {
        if (a.code !== 14 && a.code !== 15) continue;
        if (!('nlri' in a) || !('afi' in a)) continue;
        const verb = a.code === 14 ? 'announce' : 'withdraw';
        const fam = `${a.afi}/${a.safi}`;
        if (a.nlri.kind === 'flowspec') {
          if (a.nlri.items.length === 0 && a.code === 15) lines.push(`  end-of-rib ${fam}`);
          for (const item of a.nlri.items) {
            if (!item.nlri) {
              lines.push(`  ${verb} ${fam} MALFORMED 0x${item.hex} (${item.error?.code}: ${item.error?.message}) -> treated as withdrawn`);
              continue;
            }
            lines.push(`  ${verb} ${fam} ${formatFlowspecNlri(item.nlri)}`);
            if (verb === 'announce') {
              const { rule } = flowspecToRule({ nlri: item.nlri, communities });
              lines.push(`    rule ${rule.id}: ${JSON.stringify(rule.match)} action ${JSON.stringify(rule.action)}${rule.sample ? ' sample' : ''}${rule.terminal === false ? ' non-terminal' : ''}`);
            }
          }
        } else if (a.nlri.kind === 'prefixes') lines.push(`  ${verb} ${fam} ${a.nlri.prefixes.join(' ')}`);
        else lines.push(`  ${verb} ${fam} (not decoded) 0x${a.nlri.hex}`);
      }
      break;
    }
  }
  for (const issue of d.issues) lines.push(`  RFC 7606 ${issue.action}: ${issue.code} at byte ${issue.offset}: ${issue.message}`);
  return lines;
}

function decode(input: string, opts: { nlri?: 'ipv4' | 'ipv6'; twoOctetAs?: boolean; json?: boolean; ipv6OffsetLayout: Ipv6OffsetLayout }): void {
  const bytes = readInput(input);
  let problems = 0;
  if (opts.nlri) {
    const family = opts.nlri;
    const entries = (() => {
      try {
        return readFlowspecNlriList(new ByteReader(bytes), family, { ipv6OffsetLayout: opts.ipv6OffsetLayout });
      } catch (e) {
        throw new RejectedError(`NLRI list cannot be split: ${(e as Error).message}`);
      }
    })();
    const out = entries.map((e) =>
      e.result.ok
        ? { hex: bytesToHex(e.value), nlri: e.result.value, text: formatFlowspecNlri(e.result.value), rule: flowspecToRule({ nlri: e.result.value, communities: [] }).rule, error: undefined }
        : { hex: bytesToHex(e.value), error: e.result.error, text: undefined, rule: undefined },
    );
    problems = out.filter((o) => o.error !== undefined).length;
    if (opts.json) printJson(out);
    else printLines(out.map((o) => (o.error ? `MALFORMED 0x${o.hex}: ${o.error.code} at byte ${o.error.offset}: ${o.error.message}` : `${o.text}\n  rule ${JSON.stringify(o.rule?.match)}`)));
  } else {
    const { messages, error, rest } = splitMessages(bytes);
    const ctx = { fourOctetAs: !opts.twoOctetAs, ipv6OffsetLayout: opts.ipv6OffsetLayout };
    const results = messages.map((m) => ({ bytes: m, decoded: decodeBgpMessage(m, ctx) }));
    const json: unknown[] = [];
    const lines: string[] = [];
    results.forEach((r, i) => {
      if (r.decoded.ok) {
        json.push(r.decoded.value);
        lines.push(...describeMessage(i + 1, r.bytes, r.decoded.value));
        if (r.decoded.value.issues.length) problems++;
      } else {
        problems++;
        const n = r.decoded.error.notification;
        json.push({ error: r.decoded.error });
        lines.push(`message ${i + 1}: ERROR ${r.decoded.error.code} at byte ${r.decoded.error.offset}: ${r.decoded.error.message} -> NOTIFICATION ${n.code}/${n.subcode}${n.data ? ` data 0x${n.data}` : ''}`);
      }
    });
    if (error) {
      problems++;
      json.push({ error });
      lines.push(`ERROR ${error.code} at byte ${error.offset}: ${error.message} -> NOTIFICATION ${error.notification.code}/${error.notification.subcode}`);
    } else if (rest > 0) {
      problems++;
      lines.push(`ERROR truncated: ${rest} trailing byte(s) do not make a whole message`);
      json.push({ error: { code: 'truncated', offset: bytes.length - rest, message: `${rest} trailing byte(s)` } });
    }
    if (messages.length === 0 && !error && rest === 0) throw new UsageError('no bytes to decode');
    if (opts.json) printJson(json);
    else printLines(lines);
  }
  if (problems > 0) throw new RejectedError(`${problems} malformed message(s) or NLRI`);
}

export function register(program: Command): void {
  const bgp = program.command('bgp').description('BGP Flowspec: announce rule files to peers, decode messages');

  bgp
    .command('announce')
    .description('announce the rules of FILE (native YAML/JSON, Junos or ExaBGP) as Flowspec routes to each --peer')
    .argument('<file>', 'rule file')
    .option('--peer <host:port>', 'BGP peer to connect to (repeatable; port defaults to 179)', collect, [])
    .addOption(new Option('--format <format>', 'rule file format').choices(['auto', 'native', 'junos', 'exabgp']).default('auto'))
    .option('--local-as <asn>', 'our AS number', '65000')
    .option('--peer-as <asn>', 'expected peer AS (default: accept the AS in the peer OPEN)')
    .option('--router-id <ipv4>', 'our BGP identifier', '192.0.2.1')
    .option('--hold-time <sec>', 'hold time to propose', '90')
    .option('--local-address <ip>', 'source address for the TCP connections')
    .option('--timeout <sec>', 'give up on a peer not Established after this long', '30')
    .option('--duration <sec>', 'keep the sessions (and routes) up this long after announcing; default: until interrupted')
    .option('--once', 'stop as soon as the routes are on the wire (the peer then drops them with the session)')
    .addOption(new Option('--ipv6-offset-layout <layout>', 'IPv6 prefix offsets as RFC 8956 pattern bits, or the whole prefix (GoBGP 3.10, ExaBGP 4.2)').choices(['rfc8956', 'full-prefix']).default('rfc8956'))
    .option('--json', 'print a JSON report')
    .action(async (file: string, opts: AnnounceOptions) => announce(file, opts));

  bgp
    .command('decode')
    .description('decode BGP messages (a hex string, or a file of annotated hex or raw bytes); exit 1 if anything is malformed')
    .argument('<hex-or-file>', 'hex digits (spaces allowed) or a file')
    .addOption(new Option('--nlri <family>', 'input is a list of Flowspec NLRI, not BGP messages').choices(['ipv4', 'ipv6']))
    .option('--two-octet-as', 'AS numbers in AS_PATH/AGGREGATOR are 2 bytes (no RFC 6793 capability)')
    .addOption(new Option('--ipv6-offset-layout <layout>', 'IPv6 prefix offsets as RFC 8956 pattern bits, or the whole prefix (GoBGP 3.10, ExaBGP 4.2)').choices(['rfc8956', 'full-prefix']).default('rfc8956'))
    .option('--json', 'print the decoded messages as JSON')
    .action((input: string, opts: { nlri?: 'ipv4' | 'ipv6'; twoOctetAs?: boolean; json?: boolean; ipv6OffsetLayout: Ipv6OffsetLayout }) => decode(input, opts));
}
