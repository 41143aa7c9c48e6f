// Attack scenario catalogue for the synthetic generator: what each attack looks like on the wire.
import type { Random } from '../../lib/random.js';

export const SCENARIO_NAMES = [
  'dns-amplification',
  'ntp-amplification',
  'memcached',
  'ssdp',
  'syn-flood',
  'udp-flood',
  'carpet-bombing',
  'fragments',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** One attack packet's shape, drawn per sample. */
export interface PacketShape {
  readonly protocol: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly lengthBytes: number;
  readonly tcpFlags: number;
  readonly fragmentFlags: number;
  readonly ttl: number;
}

const UDP = 17;
const TCP = 6;
const ephemeral = (r: Random): number => r.int(1024, 65535);

/** Draw one attack packet of the given scenario. Lengths never exceed `mtuBytes`. */
export function drawAttackPacket(name: ScenarioName, r: Random, mtuBytes: number): PacketShape {
  const ttl = r.int(40, 60);
  const cap = (n: number): number => Math.min(n, mtuBytes);
  switch (name) {
    case 'dns-amplification': {
      // ANY/DNSSEC responses; large ones arrive as a first fragment (with ports) and trailing fragments.
      const big = r.next() < 0.7;
      return { protocol: UDP, srcPort: 53, dstPort: ephemeral(r), lengthBytes: cap(big ? r.int(1400, 1500) : r.int(512, 1400)), tcpFlags: 0, fragmentFlags: 0, ttl };
    }
    case 'ntp-amplification':
      return { protocol: UDP, srcPort: 123, dstPort: ephemeral(r), lengthBytes: cap(468), tcpFlags: 0, fragmentFlags: 0, ttl };
    case 'memcached':
      return { protocol: UDP, srcPort: 11211, dstPort: ephemeral(r), lengthBytes: cap(r.int(1400, 1500)), tcpFlags: 0, fragmentFlags: 0, ttl };
    case 'ssdp':
      return { protocol: UDP, srcPort: 1900, dstPort: ephemeral(r), lengthBytes: cap(r.int(290, 330)), tcpFlags: 0, fragmentFlags: 0, ttl };
    case 'syn-flood':
      return { protocol: TCP, srcPort: ephemeral(r), dstPort: r.pick([80, 443]), lengthBytes: r.int(40, 60), tcpFlags: 0x02, fragmentFlags: 0, ttl: r.int(30, 250) };
    case 'udp-flood':
      return { protocol: UDP, srcPort: ephemeral(r), dstPort: ephemeral(r), lengthBytes: cap(r.int(60, 1200)), tcpFlags: 0, fragmentFlags: 0, ttl };
    case 'carpet-bombing':
      return { protocol: UDP, srcPort: 53, dstPort: ephemeral(r), lengthBytes: cap(r.int(900, 1500)), tcpFlags: 0, fragmentFlags: 0, ttl };
    case 'fragments':
      // Non-first fragments carry no transport header: ports 0, is-fragment set.
      return { protocol: UDP, srcPort: 0, dstPort: 0, lengthBytes: cap(r.int(1000, 1500)), tcpFlags: 0, fragmentFlags: 0x02, ttl };
  }
}

/** Background (benign) traffic towards a web/DNS property. */
export function drawBenignPacket(r: Random, mtuBytes: number): PacketShape {
  const x = r.next();
  const ttl = r.int(50, 120);
  if (x < 0.55) {
    // HTTPS over TCP: mostly ACKs and data, some SYNs and FINs
    const y = r.next();
    const flags = y < 0.05 ? 0x02 : y < 0.1 ? 0x11 : y < 0.7 ? 0x10 : 0x18;
    return { protocol: TCP, srcPort: ephemeral(r), dstPort: 443, lengthBytes: flags === 0x18 ? Math.min(mtuBytes, r.int(200, 1500)) : r.int(40, 80), tcpFlags: flags, fragmentFlags: 0, ttl };
  }
  if (x < 0.7) return { protocol: TCP, srcPort: ephemeral(r), dstPort: 80, lengthBytes: r.int(40, 1500), tcpFlags: r.pick([0x10, 0x18, 0x02]), fragmentFlags: 0, ttl };
  if (x < 0.85) return { protocol: UDP, srcPort: ephemeral(r), dstPort: 443, lengthBytes: r.int(60, 1350), tcpFlags: 0, fragmentFlags: 0, ttl }; // QUIC
  if (x < 0.95) return { protocol: UDP, srcPort: ephemeral(r), dstPort: 53, lengthBytes: r.int(60, 120), tcpFlags: 0, fragmentFlags: 0, ttl }; // DNS queries to our resolver
  if (x < 0.98) return { protocol: UDP, srcPort: 53, dstPort: ephemeral(r), lengthBytes: r.int(80, 500), tcpFlags: 0, fragmentFlags: 0, ttl }; // DNS answers to our lookups
  return { protocol: 1, srcPort: 0, dstPort: 0, lengthBytes: 84, tcpFlags: 0, fragmentFlags: 0, ttl };
}
