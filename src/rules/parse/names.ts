// Named values accepted wherever a rule file takes a number: IP protocols (IANA "Assigned
// Internet Protocol Numbers"), well-known ports (IANA service names plus the Junos text
// synonyms), ICMP/ICMPv6 types and codes (RFC 792, RFC 4443), DSCP code points (RFC 2474,
// RFC 2597, RFC 3246). Lookups are case-insensitive; '_' and '-' are interchangeable.
import type { RuleFamily } from '../model.js';

export type NameTable = Readonly<Record<string, number>>;

export const PROTOCOL_NAMES: NameTable = {
  icmp: 1,
  igmp: 2,
  ipip: 4,
  tcp: 6,
  egp: 8,
  igp: 9,
  udp: 17,
  ipv6: 41,
  rsvp: 46,
  gre: 47,
  esp: 50,
  ah: 51,
  icmp6: 58,
  icmpv6: 58,
  'ipv6-icmp': 58,
  ospf: 89,
  pim: 103,
  vrrp: 112,
  sctp: 132,
};

/** Preferred name per protocol number when rendering for humans. */
export const PROTOCOL_NAME_BY_NUMBER: Readonly<Record<number, string>> = {
  1: 'icmp',
  2: 'igmp',
  4: 'ipip',
  6: 'tcp',
  8: 'egp',
  17: 'udp',
  41: 'ipv6',
  46: 'rsvp',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'icmp6',
  89: 'ospf',
  103: 'pim',
  112: 'vrrp',
  132: 'sctp',
};

export const PORT_NAMES: NameTable = {
  'ftp-data': 20,
  ftp: 21,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  tacacs: 49,
  domain: 53,
  dns: 53,
  tacacs_ds: 65,
  'tacacs-ds': 65,
  bootps: 67,
  dhcp: 67,
  bootpc: 68,
  tftp: 69,
  finger: 79,
  http: 80,
  'kerberos-sec': 88,
  pop3: 110,
  sunrpc: 111,
  portmap: 111,
  ident: 113,
  nntp: 119,
  ntp: 123,
  'netbios-ns': 137,
  'netbios-dgm': 138,
  'netbios-ssn': 139,
  imap: 143,
  snmp: 161,
  snmptrap: 162,
  xdmcp: 177,
  bgp: 179,
  ldap: 389,
  cldap: 389,
  mobileip_agent: 434,
  'mobileip-agent': 434,
  'mobilip-mn': 435,
  https: 443,
  snpp: 444,
  biff: 512,
  exec: 512,
  login: 513,
  who: 513,
  cmd: 514,
  syslog: 514,
  printer: 515,
  talk: 517,
  ntalk: 518,
  rip: 520,
  timed: 525,
  klogin: 543,
  kshell: 544,
  msdp: 639,
  ldp: 646,
  'krb-prop': 754,
  krbupdate: 760,
  kpasswd: 761,
  socks: 1080,
  openvpn: 1194,
  afs: 1483,
  pptp: 1723,
  radius: 1812,
  radacct: 1813,
  ssdp: 1900,
  nfsd: 2049,
  'zephyr-srv': 2102,
  'zephyr-clt': 2103,
  'zephyr-hm': 2104,
  eklogin: 2105,
  ekshell: 2106,
  rkinit: 2108,
  cvspserver: 2401,
  rdp: 3389,
  stun: 3478,
  'ws-discovery': 3702,
  sip: 5060,
  mdns: 5353,
  coap: 5683,
  memcached: 11211,
  chargen: 19,
  qotd: 17,
};

export const ICMP_TYPE_NAMES: NameTable = {
  'echo-reply': 0,
  unreachable: 3,
  'destination-unreachable': 3,
  'source-quench': 4,
  redirect: 5,
  'echo-request': 8,
  'router-advertisement': 9,
  'router-solicit': 10,
  'time-exceeded': 11,
  'parameter-problem': 12,
  timestamp: 13,
  'timestamp-reply': 14,
  'info-request': 15,
  'info-reply': 16,
  'mask-request': 17,
  'mask-reply': 18,
};

export const ICMP6_TYPE_NAMES: NameTable = {
  'destination-unreachable': 1,
  unreachable: 1,
  'packet-too-big': 2,
  'time-exceeded': 3,
  'parameter-problem': 4,
  'echo-request': 128,
  'echo-reply': 129,
  'membership-query': 130,
  'membership-report': 131,
  'membership-termination': 132,
  'router-solicit': 133,
  'router-advertisement': 134,
  'neighbor-solicit': 135,
  'neighbor-advertisement': 136,
  redirect: 137,
};

export const ICMP_CODE_NAMES: NameTable = {
  'network-unreachable': 0,
  'host-unreachable': 1,
  'protocol-unreachable': 2,
  'port-unreachable': 3,
  'fragmentation-needed': 4,
  'source-route-failed': 5,
  'destination-network-unknown': 6,
  'destination-host-unknown': 7,
  'source-host-isolated': 8,
  'destination-network-prohibited': 9,
  'destination-host-prohibited': 10,
  'network-unreachable-for-tos': 11,
  'host-unreachable-for-tos': 12,
  'communication-prohibited-by-filtering': 13,
  'host-precedence-violation': 14,
  'precedence-cutoff-in-effect': 15,
  'redirect-for-network': 0,
  'redirect-for-host': 1,
  'redirect-for-tos-and-net': 2,
  'redirect-for-tos-and-host': 3,
  'ttl-eq-zero-during-transit': 0,
  'ttl-eq-zero-during-reassembly': 1,
  'ip-header-bad': 0,
  'required-option-missing': 1,
};

export const DSCP_NAMES: NameTable = {
  be: 0,
  cs0: 0,
  cs1: 8,
  af11: 10,
  af12: 12,
  af13: 14,
  cs2: 16,
  af21: 18,
  af22: 20,
  af23: 22,
  cs3: 24,
  af31: 26,
  af32: 28,
  af33: 30,
  cs4: 32,
  af41: 34,
  af42: 36,
  af43: 38,
  cs5: 40,
  ef: 46,
  cs6: 48,
  cs7: 56,
};

export const TCP_FLAG_NAMES: NameTable = {
  fin: 0x01,
  syn: 0x02,
  rst: 0x04,
  reset: 0x04,
  psh: 0x08,
  push: 0x08,
  ack: 0x10,
  urg: 0x20,
  urgent: 0x20,
  ece: 0x40,
  cwr: 0x80,
};

export const FRAGMENT_NAMES: NameTable = {
  'dont-fragment': 0x01,
  'is-fragment': 0x02,
  'first-fragment': 0x04,
  'last-fragment': 0x08,
};

export function normaliseName(text: string): string {
  return text.trim().toLowerCase().replace(/_/g, '-');
}

export function lookupName(table: NameTable, text: string): number | undefined {
  const key = normaliseName(text);
  return Object.hasOwn(table, key) ? table[key] : Object.hasOwn(table, text.toLowerCase()) ? table[text.toLowerCase()] : undefined;
}

export function icmpTypeNames(family: RuleFamily): NameTable {
  return family === 'ipv6' ? ICMP6_TYPE_NAMES : ICMP_TYPE_NAMES;
}

/** The name of a single bit in a flag table (first match), for rendering. */
export function flagNameOf(table: NameTable, bit: number, preferred: readonly string[]): string | undefined {
  for (const name of preferred) if (table[name] === bit) return name;
  return Object.keys(table).find((k) => table[k] === bit);
}
