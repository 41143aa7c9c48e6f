// `failsmall bgp decode|announce` end to end through runCli (the entry ./failsmall uses). The
// announce test points the CLI at an in-process failsmall speaker acting as the router.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FlowspecSpeaker } from '../../bgp/index.js';
import { runCliCaptured } from '../../../tests/support/run-cli.js';

const vector = (rel: string): string => fileURLToPath(new URL(`../../../tests/vectors/bgp/${rel}`, import.meta.url));
const fixture = (rel: string): string => fileURLToPath(new URL(`../../../tests/fixtures/${rel}`, import.meta.url));

afterEach(() => {
  vi.restoreAllMocks();
});

const run = (...argv: string[]) => runCliCaptured(argv);

describe('failsmall bgp decode', () => {
  it('decodes a captured exabgp UPDATE into components, actions and the model rule', async () => {
    const r = await run('bgp', 'decode', vector('captured/09-exabgp-update.hex'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('announce 1/133 destination 203.0.113.0/24 port ==53 packet-length <64 | >1400');
    expect(r.stdout).toContain('"packetLengths":[{"min":0,"max":63},{"min":1401,"max":65535}]');
    expect(r.stdout).toContain('mark dscp 10');
  });

  it('decodes hex from the command line as JSON, several messages in a row', async () => {
    const r = await run('bgp', 'decode', '--json', 'ffffffffffffffffffffffffffffffff001304 ffffffffffffffffffffffffffffffff001d0200000006800f03000185');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.map((m: { message: { type: string } }) => m.message.type)).toEqual(['keepalive', 'update']);
  });

  it('decodes a bare Flowspec NLRI list (RFC 8955 example)', async () => {
    const r = await run('bgp', 'decode', '--nlri', 'ipv4', '0b 0118c00002 038106 048119');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('destination 192.0.2.0/24 protocol ==6 port ==25');
  });

  it('exits 1 on a malformed message and names the NOTIFICATION it earns', async () => {
    const r = await run('bgp', 'decode', vector('bad/update-mp-reach-twice.hex'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('bgp_update_attribute_list');
    expect(r.stdout).toContain('NOTIFICATION 3/1');
  });

  it('exits 1 and reports treat-as-withdraw for a malformed Flowspec NLRI', async () => {
    const r = await run('bgp', 'decode', vector('bad/update-flowspec-one-bad-one-good.hex'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('MALFORMED');
    expect(r.stdout).toContain('RFC 7606 nlri-withdraw');
    expect(r.stdout).toContain('destination 10.0.0.0/24');
  });

  it('exits 2 on input that is neither a file nor hex', async () => {
    const r = await run('bgp', 'decode', 'not-hex-at-all');
    expect(r.code).toBe(2);
  });
});

describe('failsmall bgp announce', () => {
  it('announces a native rule file to a peer and keeps the session for --duration', async () => {
    const router = new FlowspecSpeaker({ localAs: 65101, routerId: '192.0.2.11', listen: { host: '127.0.0.1', port: 0 }, idleHoldSec: 1 });
    await router.start();
    router.addPeer({ id: 'cli', address: '127.0.0.1', peerAs: 65000, passive: true });
    try {
      const cli = run('bgp', 'announce', '--peer', `127.0.0.1:${router.port}`, '--duration', '2', '--json', fixture('rules/dns-amplification-ok.yaml'));
      await vi.waitFor(() => expect(router.adjRibIn('cli')).toHaveLength(1), { timeout: 10_000, interval: 50 });
      const got = router.adjRibIn('cli')[0]!.rule;
      expect(got.match).toEqual({ destination: '173.245.58.12/32', protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: 53, max: 53 }], packetLengths: [{ min: 512, max: 4470 }] });
      expect(got.action).toEqual({ kind: 'discard' });
      const r = await cli;
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.announced).toBe(1);
      expect(report.peers[0]).toMatchObject({ established: true, peerAs: 65101, advertised: 1 });
    } finally {
      await router.stop();
    }
  }, 30_000);

  it('exits 1 when the peer never comes up', async () => {
    const r = await run('bgp', 'announce', '--peer', '127.0.0.1:1', '--timeout', '1', '--once', fixture('rules/dns-amplification-ok.yaml'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not established');
  });

  it('exits 2 without --peer', async () => {
    const r = await run('bgp', 'announce', fixture('rules/dns-amplification-ok.yaml'));
    expect(r.code).toBe(2);
  });
});
