// Captures real BGP Flowspec sessions as annotated hex vectors (run by hand, output committed):
//   npx tsx tests/vectors/bgp/capture/capture.ts
// gobgpd and exabgp peer on 127.0.0.1 (exabgp connects to gobgpd's non-179 port); both announce
// Flowspec routes, gobgp withdraws one and asks for a route refresh, exabgp shuts down.
// tshark records the session on lo; each BGP message becomes tests/vectors/bgp/captured/NN-*.hex
// annotated with tshark's own dissection, plus a golden .json from our decoder (reviewed against
// the annotation when committed).
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hexToBytes } from '../../../../src/lib/byte-writer.js';
import { decodeBgpMessage, splitMessages } from '../../../../src/bgp/messages/index.js';
import { freePort, makeTempDir, run, startExabgp, startGobgpd, waitFor } from '../../../interop/bgp-peers.js';
import { goldenOf } from '../golden.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'captured');

const EXABGP_ROUTES = `
    route exa-v4-rich {
      match {
        destination 10.9.0.0/16;
        source 198.51.100.0/24;
        protocol [ tcp udp ];
        destination-port [ >=1024&<=2048 =8080 ];
        source-port [ >1023 ];
        packet-length [ >=1200&<=1500 ];
        tcp-flags [ syn&!ack ];
        fragment [ is-fragment ];
      }
      then { rate-limit 9600; }
    }
    route exa-v4-icmp {
      match {
        destination 192.0.2.1/32;
        protocol icmp;
        icmp-type [ =8 =0 ];
        icmp-code [ =0 ];
        dscp [ =46 ];
      }
      then { discard; }
    }
    route exa-v4-mark {
      match {
        destination 203.0.113.0/24;
        port [ =53 ];
        packet-length [ <64 >1400 ];
      }
      then { mark 10; action sample-terminal; }
    }
    route exa-v4-redirect {
      match {
        destination 10.10.0.0/16;
        protocol [ !=6 ];
      }
      then { redirect 65000:4294967295; }
    }
    route exa-v6-offset {
      match {
        destination 2001:db8:99::/48/0;
        source ::1234:5678:9a00:0/104/64;
        next-header [ udp ];
        source-port [ =53 ];
        flow-label [ >100&<2000 ];
      }
      then { discard; }
    }
`;

const GOBGP_ROUTES: string[][] = [
  ['-a', 'ipv4-flowspec', 'add', 'match', 'destination', '10.0.0.0/24', 'source', '192.0.2.0/24', 'protocol', 'tcp', 'destination-port', '>=80&<=90', 'then', 'rate-limit', '1000'],
  ['-a', 'ipv4-flowspec', 'add', 'match', 'destination', '10.0.2.0/24', 'protocol', 'udp', 'port', '==53', '==123', 'then', 'mark', '10'],
  ['-a', 'ipv4-flowspec', 'add', 'match', 'destination', '10.0.3.0/24', 'icmp-type', '==8', 'icmp-code', '==0', 'then', 'action', 'sample-terminal'],
  ['-a', 'ipv4-flowspec', 'add', 'match', 'destination', '10.0.4.0/24', 'tcp-flags', '=S', '&!=A', 'fragment', '!not-a-fragment', 'then', 'discard'],
  ['-a', 'ipv4-flowspec', 'add', 'match', 'destination', '10.0.5.0/24', 'packet-length', '>=1200&<=1500', 'dscp', '==46', 'then', 'redirect', '4200000001:7'],
  ['-a', 'ipv6-flowspec', 'add', 'match', 'destination', '2001:db8::/32', 'source', '2001:db8:1::/48', 'label', '==1234', 'then', 'redirect', '65000:100'],
  ['-a', 'ipv6-flowspec', 'add', 'match', 'destination', '2001:db8:0:1::/64', '32', 'protocol', 'tcp', 'then', 'rate-limit', '125000'],
];

async function main(): Promise<void> {
  const work = makeTempDir('capture');
  const gobgpPort = await freePort();
  const pcap = join(work, 'session.pcapng');
  const tshark = spawn('tshark', ['-i', 'lo', '-f', `tcp port ${gobgpPort}`, '-w', pcap], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 2500));
  const gobgp = await startGobgpd({ as: 4200000001, routerId: '127.0.0.11', port: gobgpPort, neighbors: [{ address: '127.0.0.1', peerAs: 65002, passive: true, gracefulRestart: true }] });
  let exabgp: Awaited<ReturnType<typeof startExabgp>> | undefined;
  try {
    for (const args of GOBGP_ROUTES.slice(0, 4)) await gobgp.cli(['global', 'rib', ...args]);
    exabgp = await startExabgp({ localAs: 65002, peerAs: 4200000001, routerId: '127.0.0.12', peerAddress: '127.0.0.1', connectPort: gobgpPort, flowRoutes: EXABGP_ROUTES, capabilities: 'route-refresh enable; graceful-restart 120;' });
    await waitFor('session established', async () => ((await gobgp.cli(['neighbor'])).includes('Establ') ? true : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    for (const args of GOBGP_ROUTES.slice(4)) await gobgp.cli(['global', 'rib', ...args]);
    await new Promise((r) => setTimeout(r, 1000));
    await gobgp.cli(['global', 'rib', '-a', 'ipv4-flowspec', 'del', 'match', 'destination', '10.0.2.0/24', 'protocol', 'udp', 'port', '==53', '==123', 'then', 'mark', '10']);
    await new Promise((r) => setTimeout(r, 1000));
    exabgp.command('withdraw flow route { match { destination 203.0.113.0/24; port [ =53 ]; packet-length [ <64 >1400 ]; } then { mark 10; action sample-terminal; } }');
    await new Promise((r) => setTimeout(r, 1500));
    await gobgp.cli(['neighbor', '127.0.0.1', 'softresetin', '-a', 'ipv4-flowspec']);
    await new Promise((r) => setTimeout(r, 1500));
    await gobgp.cli(['neighbor', '127.0.0.1', 'shutdown', '--reason', 'failsmall capture done']);
    await new Promise((r) => setTimeout(r, 1500));
  } finally {
    await exabgp?.stop();
    await gobgp.stop();
    await new Promise((r) => setTimeout(r, 1000));
    tshark.kill('SIGINT');
    await new Promise((r) => tshark.once('exit', r));
  }

  const follow = await run('tshark', ['-r', pcap, '-q', '-z', 'follow,tcp,raw,0']);
  // Only the first TCP connection (gobgpd may reconnect after the shutdown).
  const dissection = await run('tshark', ['-r', pcap, '-d', `tcp.port==${gobgpPort},bgp`, '-Y', 'tcp.stream==0', '-O', 'bgp', '-V']);
  const blocks = dissection
    .split('\n')
    .reduce<string[][]>((acc, line) => {
      if (line.startsWith('Border Gateway Protocol - ')) acc.push([line]);
      else if (acc.length > 0 && line.startsWith('    ')) acc[acc.length - 1]!.push(line);
      else if (acc.length > 0 && line.trim() !== '') acc.push([]);
      return acc;
    }, [])
    .filter((b) => b.length > 0 && b[0]!.startsWith('Border'));
  const gobgpNode = follow.match(/Node 1: ([\d.]+):(\d+)/)?.[2] === String(gobgpPort) ? 1 : 0;
  const messages: Array<{ from: string; bytes: Uint8Array }> = [];
  for (const line of follow.split('\n')) {
    if (!/^\t?[0-9a-f]+$/.test(line)) continue;
    const node = line.startsWith('\t') ? 1 : 0;
    const from = node === gobgpNode ? 'gobgpd' : 'exabgp';
    for (const m of splitMessages(hexToBytes(line.trim())).messages) messages.push({ from, bytes: m });
  }
  if (blocks.length !== messages.length) throw new Error(`tshark shows ${blocks.length} BGP messages, the stream holds ${messages.length}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const [gobgpVersion, exabgpVersion, tsharkVersion] = await Promise.all([
    run('gobgpd', ['--version']).then((s) => s.trim()),
    run('exabgp', ['--version']).then((s) => s.split('\n').find((l) => l.startsWith('ExaBGP'))?.replace(/\s+/g, ' ').trim() ?? 'exabgp'),
    run('tshark', ['--version']).then((s) => s.split('\n')[0]!.trim()),
  ]);
  messages.forEach((m, i) => {
    const block = blocks[i]!;
    const kind = block[0]!.replace('Border Gateway Protocol - ', '').replace(' Message', '').toLowerCase().replace(/[^a-z]+/g, '-');
    const name = `${String(i + 1).padStart(2, '0')}-${m.from}-${kind}`;
    const annotation = block.filter((l) => !/^\s+[.01 ]{4} [.01 ]{4} = /.test(l)).map((l) => `#   ${l}`);
    const hex = Buffer.from(m.bytes).toString('hex');
    const text = [
      `# source: BGP message sent by ${m.from} in a ${gobgpVersion} <-> ${exabgpVersion} session on 127.0.0.1,`,
      `#         captured on lo with ${tsharkVersion} by tests/vectors/bgp/capture/capture.ts`,
      '# tshark dissection:',
      ...annotation,
      ...(hex.match(/.{1,64}/g) ?? []),
      '',
    ].join('\n');
    writeFileSync(join(outDir, `${name}.hex`), text);
    const decoded = decodeBgpMessage(m.bytes);
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(goldenOf(decoded), null, 2)}\n`);
  });
  rmSync(work, { recursive: true, force: true });
  process.stdout.write(`wrote ${messages.length} vectors to ${outDir}\n${readdirSync(outDir).filter((f) => f.endsWith('.hex')).join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
