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
  {
    name: 'qinq-ipv4-options-udp',
    hex: strip(`
      02 00 00 00 00 01  02 00 00 00 00 02                   # Ethernet
      88 a8 00 c8  81 00 00 64  08 00                        # 802.1ad S-tag VLAN 200, 802.1Q C-tag VLAN 100, IPv4
      46 00 00 28 00 03 00 00 40 11 00 00                    # IHL 6 (24 bytes), total 40, TTL 64, UDP
      c6 33 64 08  ad f5 35 0a                               # 198.51.100.8 -> 173.245.53.10
      01 01 01 00                                            # options: NOP NOP NOP EOL
      00 7b 00 7b 00 10 00 00                                # UDP 123 -> 123, length 16
      ${'66 '.repeat(8)}
    `),
  },
  {
    name: 'ipv6-hbh-routing-dstopts-tcp',
    hex: strip(`
      02 00 00 00 00 01  02 00 00 00 00 02  86 dd
      60 00 00 00 00 3c 00 3f                                # payload 60, next header 0 (hop-by-hop), hop limit 63
      20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02        # 2001:db8::2
      24 00 cb 00 00 00 00 00 00 00 00 00 00 00 00 10        # 2400:cb00::10
      2b 00 01 04 00 00 00 00                                # hop-by-hop: next 43 (routing), 8 bytes, PadN
      3c 02 02 01 00 00 00 00                                # routing: next 60, 24 bytes, type 2 (RFC 6275), segments left 1
      20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 99        #   home address 2001:db8::99
      06 00 01 04 00 00 00 00                                # destination options: next 6 (TCP), 8 bytes, PadN
      01 bb c3 50 00 00 00 05 00 00 00 01 50 12 ff ff 00 00 00 00  # TCP 443 -> 50000, SYN|ACK
    `),
  },
  {
    name: 'ipv6-first-fragment-udp',
    hex: strip(`
      02 00 00 00 00 01  02 00 00 00 00 02  86 dd
      60 00 00 00 00 20 2c 40                                # payload 32, next header 44 (fragment)
      20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 03
      24 00 cb 00 00 00 00 00 00 00 00 00 00 00 00 10
      11 00 00 01 00 00 ab cd                                # fragment: next 17, offset 0, M=1, id 0xabcd
      30 39 00 35 00 40 00 00                                # UDP 12345 -> 53 (length of the whole datagram)
      ${'67 '.repeat(16)}
    `),
  },
  {
    name: 'ipv6-later-fragment',
    hex: strip(`
      02 00 00 00 00 01  02 00 00 00 00 02  86 dd
      60 00 00 00 00 18 2c 40                                # payload 24, next header 44
      20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 03
      24 00 cb 00 00 00 00 00 00 00 00 00 00 00 00 10
      11 00 00 18 00 00 ab cd                                # fragment: next 17, offset 3 (24 bytes), M=0: last fragment
      ${'67 '.repeat(16)}
    `),
  },
  {
    name: 'ipv6-ah-icmpv6-echo',
    hex: strip(`
      02 00 00 00 00 01  02 00 00 00 00 02  86 dd
      60 00 00 00 00 24 33 40                                # payload 36, next header 51 (AH)
      20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 04
      24 00 cb 00 00 00 00 00 00 00 00 00 00 00 00 10
      3a 04 00 00 00 00 01 00 00 00 00 01 ${'aa '.repeat(12)}  # AH: next 58, length 4 ((4+2)*4 = 24 bytes), SPI 0x100, seq 1, ICV
      80 00 00 00 00 07 00 01                                # ICMPv6 echo request
      ${'68 '.repeat(4)}
    `),
  },
  {
    name: 'mpls-ipv4-tcp',
    hex: strip(`
      02 00 00 00 00 01  02 00 00 00 00 02  88 47            # Ethernet, MPLS unicast
      00 01 40 40  00 02 81 40                               # label 20 (TC 0), label 40 bottom of stack, TTL 64
      45 00 00 28 00 04 40 00 40 06 00 00                    # IPv4 total 40, DF, TCP
      c6 33 64 09  ad f5 35 0a
      c3 51 00 16 00 00 00 01 00 00 00 00 50 02 ff ff 00 00 00 00  # TCP 50001 -> 22 SYN
    `),
  },
];
