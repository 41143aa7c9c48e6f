// Annotated frames for the packet parser and capture readers. Each is written out with
// text2pcap (pcap and pcapng) in the test and dissected by tshark, whose field values are the
// expected results: the vectors are checked against a real tool at test time.
export interface FrameVector {
  readonly name: string;
  readonly hex: string;
}

const strip = (s: string): string => s.replace(/#[^\n]*/g, '').replace(/\s+/g, '');

export const FRAMES: readonly FrameVector[] = [
  {
    name: 'ipv4-udp-dns-response',
    hex: strip(`
      02 00 00 00 00 01  02 00 00 00 00 02  08 00            # Ethernet, EtherType IPv4
      45 28 00 3a 12 34 00 00 37 11 00 00                    # IPv4 IHL 5, TOS 0x28 (DSCP 10), total 58, TTL 55, UDP
      c6 33 64 07  ad f5 35 0a                               # 198.51.100.7 -> 173.245.53.10
      00 35 9c 40 00 26 00 00                                # UDP 53 -> 40000, length 38
      ${'61 '.repeat(30)}                                    # payload
    `),
  },
  {
    name: 'vlan-ipv4-tcp-syn-df',
    hex: strip(`
      02 00 00 00 00 01  02 00 00 00 00 02  81 00 00 64 08 00  # Ethernet, 802.1Q VLAN 100, IPv4
      45 00 00 3c 00 01 40 00 40 06 00 00                      # total 60, DF, TTL 64, TCP
      cb 00 71 05  ad f5 35 0a                                 # 203.0.113.5 -> 173.245.53.10
      c7 38 01 bb 00 00 00 01 00 00 00 00 a0 02 fa f0 00 00 00 00  # TCP 51000 -> 443, SYN
      02 04 05 b4 04 02 08 0a 00 00 00 01 00 00 00 00 01 03 03 07  # options
    `),
  },
  {
    name: 'ipv6-udp-flow-label',
    hex: strip(`
      02 00 00 00 00 01  02 00 00 00 00 02  86 dd            # Ethernet, IPv6
      6b 81 23 45 00 10 11 40                                # tclass 0xb8 (DSCP 46), flow label 0x12345, payload 16, UDP, hop limit 64
      20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01        # 2001:db8::1
      24 00 cb 00 00 00 00 00 00 00 00 00 00 00 00 10        # 2400:cb00::10
      13 88 00 35 00 10 00 00                                # UDP 5000 -> 53
      ${'62 '.repeat(8)}
    `),
  },
  {
    name: 'ipv4-last-fragment',
    hex: strip(`
      02 00 00 00 00 01  02 00 00 00 00 02  08 00
      45 00 00 30 43 21 00 b9 33 11 00 00                    # total 48, offset 185 (1480 bytes), MF clear: last fragment
      c6 33 64 09  ad f5 35 0a
      ${'63 '.repeat(28)}                                    # no transport header in a non-first fragment
    `),
  },
  {
    name: 'ipv4-icmp-echo',
    hex: strip(`
      02 00 00 00 00 01  02 00 00 00 00 02  08 00
      45 00 00 54 00 02 40 00 3f 01 00 00                    # total 84, DF, TTL 63, ICMP
      c0 00 02 01  ad f5 35 0a                               # 192.0.2.1 -> 173.245.53.10
      08 00 00 00 00 01 00 01                                # echo request type 8 code 0
      ${'64 '.repeat(56)}
    `),
  },
];
