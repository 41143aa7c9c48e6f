// Writes the malformed-message vectors in this folder (run by hand, output committed):
//   npx tsx tests/vectors/bgp/bad/make-bad-vectors.ts
// Each is a captured message (../captured/) with one documented change; the expected outcome
// (`# expect:`) is written here by hand from RFC 4271 §6, RFC 7606 and RFC 8955, not from our decoder.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

type Part = readonly [hex: string, comment: string];

const MARKER = 'ffffffffffffffffffffffffffffffff';

function hexLen(h: string): number {
  return h.replace(/\s+/g, '').length / 2;
}

function u16(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** A whole message from body parts; `length` overrides the header length field. */
function message(type: number, body: readonly Part[], length?: number): Part[] {
  const total = 19 + body.reduce((n, [h]) => n + hexLen(h), 0);
  return [[`${MARKER} ${u16(length ?? total)} ${type.toString(16).padStart(2, '0')}`, `header: marker, length ${length ?? total}, type ${type}`], ...body];
}

/** UPDATE body from attribute parts (lengths computed unless overridden). */
function update(attrs: readonly Part[], opts: { withdrawn?: Part; nlri?: Part; attrLength?: number; withdrawnLength?: number } = {}): Part[] {
  const wd = opts.withdrawn ? hexLen(opts.withdrawn[0]) : 0;
  const al = attrs.reduce((n, [h]) => n + hexLen(h), 0);
  return [
    [u16(opts.withdrawnLength ?? wd), `withdrawn routes length ${opts.withdrawnLength ?? wd}`],
    ...(opts.withdrawn ? [opts.withdrawn] : []),
    [u16(opts.attrLength ?? al), `total path attribute length ${opts.attrLength ?? al}`],
    ...attrs,
    ...(opts.nlri ? [opts.nlri] : []),
  ];
}

// Attributes of captured/05-gobgpd-update.hex (gobgpd 3.10.0).
const ORIGIN: Part = ['40 01 01 02', 'ORIGIN: flags 0x40, type 1, length 1, INCOMPLETE'];
const AS_PATH: Part = ['40 02 06 02 01 fa56ea01', 'AS_PATH: flags 0x40, type 2, length 6, AS_SEQUENCE [4200000001]'];
const NLRI_OK = '01 18 0a0000 02 18 c00002 03 81 06 05 03 50 c5 5a';
function mpReach(nlri: string, comment: string, nextHop = ''): Part {
  const value = `0001 85 ${(hexLen(nextHop)).toString(16).padStart(2, '0')} ${nextHop} 00 ${nlri}`;
  return [`80 0e ${hexLen(value).toString(16).padStart(2, '0')} ${value}`, `MP_REACH_NLRI: flags 0x80, type 14, AFI 1, SAFI 133, next hop length ${hexLen(nextHop)}, ${comment}`];
}
const MP_REACH = mpReach(`12 ${NLRI_OK}`, 'NLRI length 18: dst 10.0.0.0/24, src 192.0.2.0/24, proto ==6, dport >=80&<=90');
const EXT_RATE: Part = ['c0 10 08 8006 0000 447a0000', 'EXTENDED_COMMUNITIES: traffic-rate-bytes AS 0, 1000.0 bytes/s'];
const OPEN_BODY: Part[] = [
  ['04', 'version 4'],
  ['fdea', 'my AS 65002'],
  ['001e', 'hold time 30'],
  ['7f00000c', 'BGP identifier 127.0.0.12'],
  ['0c', 'optional parameters length 12'],
  ['02 06 01 04 0001 00 85', 'capability: multiprotocol IPv4 flowspec'],
  ['02 02 02 00', 'capability: route refresh'],
];

interface BadVector {
  readonly name: string;
  readonly change: string;
  readonly source: string;
  /** Expected outcome: a session-reset error with its NOTIFICATION, or RFC 7606 issues. */
  readonly expect: { readonly code: string; readonly notification: string; readonly data?: string } | { readonly issues: ReadonlyArray<{ readonly code: string; readonly action: string }> };
  readonly parts: readonly Part[];
}

const KEEPALIVE_SRC = 'captured/03-gobgpd-keepalive.hex';
const UPDATE_SRC = 'captured/05-gobgpd-update.hex';
const OPEN_SRC = 'captured/02-exabgp-open.hex (shortened to two capabilities)';

const vectors: BadVector[] = [
  {
    name: 'header-marker',
    source: KEEPALIVE_SRC,
    change: 'last marker byte 0xfe',
    expect: { code: 'bgp_header_marker', notification: '1/1' },
    parts: [['ffffffffffffffffffffffffffffff fe 0013 04', 'marker with the last byte 0xfe, length 19, KEEPALIVE']],
  },
  {
    name: 'header-length-18',
    source: KEEPALIVE_SRC,
    change: 'length field 18 (below the 19-byte header)',
    expect: { code: 'bgp_header_length', notification: '1/2', data: '0012' },
    parts: message(4, [], 18),
  },
  {
    name: 'header-length-4097',
    source: KEEPALIVE_SRC,
    change: 'length field 4097 (above the RFC 4271 maximum)',
    expect: { code: 'bgp_header_length', notification: '1/2', data: '1001' },
    parts: message(4, [], 4097),
  },
  {
    name: 'header-type-7',
    source: KEEPALIVE_SRC,
    change: 'message type 7',
    expect: { code: 'bgp_header_type', notification: '1/3', data: '07' },
    parts: message(7, []),
  },
  {
    name: 'keepalive-length-20',
    source: KEEPALIVE_SRC,
    change: 'one trailing byte (KEEPALIVE must be exactly 19 bytes)',
    expect: { code: 'bgp_header_length', notification: '1/2', data: '0014' },
    parts: message(4, [['00', 'extra byte']]),
  },
  {
    name: 'open-version-3',
    source: OPEN_SRC,
    change: 'version 3',
    expect: { code: 'bgp_open_version', notification: '2/1', data: '0004' },
    parts: message(1, [['03', 'version 3'], ...OPEN_BODY.slice(1)]),
  },
  {
    name: 'open-hold-time-2',
    source: OPEN_SRC,
    change: 'hold time 2 seconds',
    expect: { code: 'bgp_open_hold_time', notification: '2/6' },
    parts: message(1, [OPEN_BODY[0]!, OPEN_BODY[1]!, ['0002', 'hold time 2'], ...OPEN_BODY.slice(3)]),
  },
  {
    name: 'open-bgp-id-zero',
    source: OPEN_SRC,
    change: 'BGP identifier 0.0.0.0',
    expect: { code: 'bgp_open_bgp_id', notification: '2/3' },
    parts: message(1, [...OPEN_BODY.slice(0, 3), ['00000000', 'BGP identifier 0.0.0.0'], ...OPEN_BODY.slice(4)]),
  },
  {
    name: 'open-parameter-type-1',
    source: OPEN_SRC,
    change: 'second optional parameter has type 1 (deprecated authentication)',
    expect: { code: 'bgp_open_optional_parameter', notification: '2/4' },
    parts: message(1, [...OPEN_BODY.slice(0, 6), ['01 02 02 00', 'optional parameter type 1']]),
  },
  {
    name: 'open-capability-overrun',
    source: OPEN_SRC,
    change: 'multiprotocol capability length 5 inside a 6-byte parameter',
    expect: { code: 'bgp_open_malformed', notification: '2/0' },
    parts: message(1, [...OPEN_BODY.slice(0, 5), ['02 06 01 05 0001 00 85', 'capability length 5 overruns the parameter'], OPEN_BODY[6]!]),
  },
  {
    name: 'update-withdrawn-overrun',
    source: UPDATE_SRC,
    change: 'withdrawn routes length 200',
    expect: { code: 'bgp_update_attribute_list', notification: '3/1' },
    parts: message(2, update([ORIGIN, AS_PATH, MP_REACH, EXT_RATE], { withdrawnLength: 200 })),
  },
  {
    name: 'update-attribute-length-overrun',
    source: UPDATE_SRC,
    change: 'total path attribute length 52 (one more than the message holds)',
    expect: { code: 'bgp_update_attribute_list', notification: '3/1' },
    parts: message(2, update([ORIGIN, AS_PATH, MP_REACH, EXT_RATE], { attrLength: 52 })),
  },
  {
    name: 'update-mp-reach-twice',
    source: UPDATE_SRC,
    change: 'MP_REACH_NLRI repeated',
    expect: { code: 'bgp_update_attribute_list', notification: '3/1' },
    parts: message(2, update([ORIGIN, AS_PATH, MP_REACH, MP_REACH, EXT_RATE])),
  },
  {
    name: 'update-mp-reach-next-hop-overrun',
    source: UPDATE_SRC,
    change: 'MP_REACH_NLRI next hop length 40 (past the attribute)',
    expect: { code: 'bgp_update_mp_malformed', notification: '3/9' },
    parts: message(2, update([ORIGIN, AS_PATH, ['80 0e 18 0001 85 28 00 12 01180a000002 18c00002 038106 050350c55a', 'MP_REACH_NLRI with next hop length 40'], EXT_RATE])),
  },
  {
    name: 'update-flowspec-nlri-length-overrun',
    source: UPDATE_SRC,
    change: 'Flowspec NLRI length 19 (one past MP_REACH_NLRI)',
    expect: { code: 'bgp_update_mp_malformed', notification: '3/9' },
    parts: message(2, update([ORIGIN, AS_PATH, mpReach(`13 ${NLRI_OK}`, 'NLRI length 19 but 18 bytes remain'), EXT_RATE])),
  },
  {
    name: 'update-unknown-well-known',
    source: UPDATE_SRC,
    change: 'extra attribute type 99 with flags 0x40 (well-known, unknown)',
    expect: { code: 'bgp_update_unrecognized_well_known', notification: '3/2', data: '406301ff' },
    parts: message(2, update([ORIGIN, AS_PATH, ['40 63 01 ff', 'attribute type 99, well-known flags, 1 byte'], MP_REACH, EXT_RATE])),
  },
  {
    name: 'update-ipv4-nlri-length-33',
    source: UPDATE_SRC,
    change: 'IPv4 NLRI field with a /33 prefix',
    expect: { code: 'bgp_update_network_field', notification: '3/10' },
    parts: message(2, update([ORIGIN, AS_PATH, ['40 03 04 7f000001', 'NEXT_HOP 127.0.0.1']], { nlri: ['21 0a000000 00', 'NLRI: length 33'] })),
  },
  {
    name: 'route-refresh-length-24',
    source: 'RFC 2918 §3 layout (AFI 1, reserved 0, SAFI 133) plus one byte',
    change: 'ROUTE-REFRESH of 24 bytes',
    expect: { code: 'bgp_route_refresh_length', notification: '7/1' },
    parts: message(5, [['0001 00 85', 'AFI 1, subtype 0, SAFI 133'], ['00', 'extra byte']]),
  },
  {
    name: 'update-origin-5',
    source: UPDATE_SRC,
    change: 'ORIGIN value 5',
    expect: { issues: [{ code: 'bgp_update_attribute_malformed', action: 'treat-as-withdraw' }] },
    parts: message(2, update([['40 01 01 05', 'ORIGIN 5 (undefined)'], AS_PATH, MP_REACH, EXT_RATE])),
  },
  {
    name: 'update-origin-optional-flag',
    source: UPDATE_SRC,
    change: 'ORIGIN flags 0xc0 (optional bit set on a well-known attribute)',
    expect: { issues: [{ code: 'bgp_update_attribute_flags', action: 'treat-as-withdraw' }] },
    parts: message(2, update([['c0 01 01 02', 'ORIGIN with flags 0xc0'], AS_PATH, MP_REACH, EXT_RATE])),
  },
  {
    name: 'update-ext-communities-length-7',
    source: UPDATE_SRC,
    change: 'EXTENDED_COMMUNITIES of 7 bytes',
    expect: { issues: [{ code: 'bgp_update_attribute_malformed', action: 'treat-as-withdraw' }] },
    parts: message(2, update([ORIGIN, AS_PATH, MP_REACH, ['c0 10 07 8006 0000 447a00', 'EXTENDED_COMMUNITIES length 7']])),
  },
  {
    name: 'update-traffic-rate-nan',
    source: UPDATE_SRC,
    change: 'traffic-rate float is NaN (0x7fc00000)',
    expect: { issues: [{ code: 'flowspec_ext_community_invalid', action: 'treat-as-withdraw' }] },
    parts: message(2, update([ORIGIN, AS_PATH, MP_REACH, ['c0 10 08 8006 0000 7fc00000', 'traffic-rate NaN']])),
  },
  {
    name: 'update-missing-as-path',
    source: UPDATE_SRC,
    change: 'AS_PATH removed',
    expect: { issues: [{ code: 'bgp_update_missing_well_known', action: 'treat-as-withdraw' }] },
    parts: message(2, update([ORIGIN, MP_REACH, EXT_RATE])),
  },
  {
    name: 'update-duplicate-origin',
    source: UPDATE_SRC,
    change: 'ORIGIN repeated',
    expect: { issues: [{ code: 'bgp_update_duplicate_attribute', action: 'attribute-discard' }] },
    parts: message(2, update([ORIGIN, ORIGIN, AS_PATH, MP_REACH, EXT_RATE])),
  },
  {
    name: 'update-aggregator-length-5',
    source: UPDATE_SRC,
    change: 'AGGREGATOR of 5 bytes added',
    expect: { issues: [{ code: 'bgp_update_attribute_malformed', action: 'attribute-discard' }] },
    parts: message(2, update([ORIGIN, AS_PATH, ['c0 07 05 0000fde97f', 'AGGREGATOR length 5'], MP_REACH, EXT_RATE])),
  },
  {
    name: 'update-attribute-overrun-after-mp',
    source: UPDATE_SRC,
    change: 'EXTENDED_COMMUNITIES length 9 runs past the attribute list (MP_REACH_NLRI already parsed)',
    expect: { issues: [{ code: 'bgp_update_attribute_overrun', action: 'treat-as-withdraw' }] },
    parts: message(2, update([ORIGIN, AS_PATH, MP_REACH, ['c0 10 09 8006 0000 447a0000', 'EXTENDED_COMMUNITIES claiming 9 bytes']])),
  },
  {
    name: 'update-flowspec-unknown-component',
    source: UPDATE_SRC,
    change: 'second NLRI component type 14 (unassigned)',
    expect: { issues: [{ code: 'bgp_update_nlri_malformed', action: 'nlri-withdraw' }] },
    parts: message(2, update([ORIGIN, AS_PATH, mpReach('08 01 18 0a0000 0e 81 06', 'NLRI: dst 10.0.0.0/24, type 14 ==6'), EXT_RATE])),
  },
  {
    name: 'update-flowspec-component-order',
    source: UPDATE_SRC,
    change: 'destination port (5) before protocol (3)',
    expect: { issues: [{ code: 'bgp_update_nlri_malformed', action: 'nlri-withdraw' }] },
    parts: message(2, update([ORIGIN, AS_PATH, mpReach('0d 01 18 0a0000 05 03 50 c5 5a 03 81 06', 'NLRI: dst, dport, proto (out of order)'), EXT_RATE])),
  },
  {
    name: 'update-flowspec-operator-reserved',
    source: UPDATE_SRC,
    change: 'protocol operator 0x89 (reserved bit 0x08 set)',
    expect: { issues: [{ code: 'bgp_update_nlri_malformed', action: 'nlri-withdraw' }] },
    parts: message(2, update([ORIGIN, AS_PATH, mpReach('08 01 18 0a0000 03 89 06', 'NLRI: dst 10.0.0.0/24, proto op 0x89'), EXT_RATE])),
  },
  {
    name: 'update-flowspec-unterminated',
    source: UPDATE_SRC,
    change: 'port operator list without the end-of-list bit',
    expect: { issues: [{ code: 'bgp_update_nlri_malformed', action: 'nlri-withdraw' }] },
    parts: message(2, update([ORIGIN, AS_PATH, mpReach('08 01 18 0a0000 04 01 19', 'NLRI: dst 10.0.0.0/24, port op 0x01 (no end bit)'), EXT_RATE])),
  },
  {
    name: 'update-flowspec-prefix-33',
    source: UPDATE_SRC,
    change: 'destination prefix length 33',
    expect: { issues: [{ code: 'bgp_update_nlri_malformed', action: 'nlri-withdraw' }] },
    parts: message(2, update([ORIGIN, AS_PATH, mpReach('07 01 21 0a000000 00', 'NLRI: dst length 33'), EXT_RATE])),
  },
  {
    name: 'update-flowspec-one-bad-one-good',
    source: UPDATE_SRC,
    change: 'two NLRI: the first has an unknown component, the second is the captured one',
    expect: { issues: [{ code: 'bgp_update_nlri_malformed', action: 'nlri-withdraw' }] },
    parts: message(2, update([ORIGIN, AS_PATH, mpReach(`03 0e 81 06 12 ${NLRI_OK}`, 'NLRI 1: type 14 ==6; NLRI 2: the captured rule'), EXT_RATE])),
  },
];

for (const v of vectors) {
  const lines = [
    `# source: ${v.source}`,
    `# change: ${v.change}`,
    `# expect: ${JSON.stringify(v.expect)}`,
    ...v.parts.map(([hex, comment]) => `${hex.padEnd(56)} # ${comment}`),
    '',
  ];
  writeFileSync(join(here, `${v.name}.hex`), lines.join('\n'));
}
process.stdout.write(`wrote ${vectors.length} vectors\n`);
