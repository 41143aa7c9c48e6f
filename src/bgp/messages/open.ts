// OPEN message (RFC 4271 §4.2) with capabilities (RFC 5492) and extended optional
// parameters length (RFC 9072).
//
//  version(1) myAs(2) holdTime(2) bgpId(4) optParmLen(1) optParams(...)
//  capability: code(1) length(1) value
import { ByteReader } from '../../lib/byte-reader.js';
import { ByteWriter, bytesToHex } from '../../lib/byte-writer.js';
import { assert } from '../../lib/assert.js';
import { CAPABILITY, ERROR_CODE, OPEN_SUBCODE, OPT_PARAM } from './constants.js';
import { failBgp, notification } from './errors.js';
import type { Capability, OpenMessage } from './types.js';

function malformed(offset: number, message: string): never {
  return failBgp('bgp_open_malformed', offset, message, notification(ERROR_CODE.open, OPEN_SUBCODE.unspecific));
}

function readCapability(code: number, v: ByteReader): Capability {
  const need = (n: number, name: string): void => {
    if (v.remaining !== n) malformed(v.offset, `${name} capability has ${v.remaining} bytes, expected ${n}`);
  };
  switch (code) {
    case CAPABILITY.multiprotocol: {
      need(4, 'multiprotocol');
      const afi = v.u16();
      v.u8(); // reserved
      return { kind: 'multiprotocol', afi, safi: v.u8() };
    }
    case CAPABILITY.routeRefresh:
      need(0, 'route refresh');
      return { kind: 'route-refresh' };
    case CAPABILITY.enhancedRouteRefresh:
      need(0, 'enhanced route refresh');
      return { kind: 'enhanced-route-refresh' };
    case CAPABILITY.fourOctetAs:
      need(4, 'four-octet AS');
      return { kind: 'four-octet-as', asn: v.u32() };
    case CAPABILITY.gracefulRestart: {
      if (v.remaining < 2 || (v.remaining - 2) % 4 !== 0) malformed(v.offset, `graceful restart capability has ${v.remaining} bytes`);
      const word = v.u16();
      const families: Array<{ afi: number; safi: number; forwardingPreserved: boolean }> = [];
      while (!v.atEnd()) families.push({ afi: v.u16(), safi: v.u8(), forwardingPreserved: (v.u8() & 0x80) !== 0 });
      return { kind: 'graceful-restart', restarting: (word & 0x8000) !== 0, notification: (word & 0x4000) !== 0, restartTimeSec: word & 0x0fff, families };
    }
    default:
      return { kind: 'unknown', code, value: bytesToHex(v.bytes(v.remaining)) };
  }
}

/** Decode the OPEN body (reader positioned after the header, bounded by the message length). */
export function readOpen(r: ByteReader): OpenMessage {
  const versionAt = r.offset;
  const version = r.u8('version');
  if (version !== 4) {
    failBgp('bgp_open_version', versionAt, `version ${version}, only 4 is supported`, notification(ERROR_CODE.open, OPEN_SUBCODE.unsupportedVersion, Uint8Array.of(0, 4)));
  }
  const myAs = r.u16('my AS');
  const holdAt = r.offset;
  const holdTimeSec = r.u16('hold time');
  // RFC 4271 §6.2: hold time MUST be 0 or at least 3 seconds.
  if (holdTimeSec === 1 || holdTimeSec === 2) {
    failBgp('bgp_open_hold_time', holdAt, `hold time ${holdTimeSec}s`, notification(ERROR_CODE.open, OPEN_SUBCODE.unacceptableHoldTime));
  }
  const idAt = r.offset;
  const id = r.bytes(4, 'BGP identifier');
  // RFC 6286 §2.2: the identifier is a non-zero 4-byte value.
  if (id[0] === 0 && id[1] === 0 && id[2] === 0 && id[3] === 0) {
    failBgp('bgp_open_bgp_id', idAt, 'BGP identifier is 0', notification(ERROR_CODE.open, OPEN_SUBCODE.badBgpIdentifier));
  }
  const bgpId = Array.from(id).join('.');
  const lenAt = r.offset;
  let paramsLength = r.u8('optional parameters length');
  let extended = false;
  // RFC 9072 §2: length 255 followed by type 255 means 2-byte lengths follow.
  if (paramsLength === OPT_PARAM.extendedLength && r.peekU8() === OPT_PARAM.extendedLength) {
    r.u8();
    paramsLength = r.u16('extended optional parameters length');
    extended = true;
  }
  if (paramsLength !== r.remaining) malformed(lenAt, `optional parameters length ${paramsLength} but ${r.remaining} bytes remain`);
  const capabilities: Capability[] = [];
  const groups: number[] = [];
  while (!r.atEnd()) {
    const paramAt = r.offset;
    const type = r.u8('parameter type');
    const len = extended ? r.u16('parameter length') : r.u8('parameter length');
    if (len > r.remaining) malformed(paramAt, `optional parameter of ${len} bytes overruns`);
    const p = r.sub(len);
    if (type !== OPT_PARAM.capabilities) {
      failBgp('bgp_open_optional_parameter', paramAt, `optional parameter type ${type}`, notification(ERROR_CODE.open, OPEN_SUBCODE.unsupportedOptionalParameter));
    }
    while (!p.atEnd()) {
      const capAt = p.offset;
      const code = p.u8('capability code');
      const capLen = p.u8('capability length');
      if (capLen > p.remaining) malformed(capAt, `capability ${code} of ${capLen} bytes overruns its parameter`);
      capabilities.push(readCapability(code, p.sub(capLen)));
    }
    groups.push(capabilities.length - groups.reduce((n, g) => n + g, 0));
  }
  return {
    type: 'open',
    version,
    myAs,
    holdTimeSec,
    bgpId,
    capabilities,
    ...(extended ? { extendedParams: true } : {}),
    ...(groups.some((g) => g !== 1) ? { capabilityGroups: groups } : {}),
  };
}

function writeCapability(w: ByteWriter, c: Capability): void {
  switch (c.kind) {
    case 'multiprotocol':
      w.u8(CAPABILITY.multiprotocol).u8(4).u16(c.afi).u8(0).u8(c.safi);
      return;
    case 'route-refresh':
      w.u8(CAPABILITY.routeRefresh).u8(0);
      return;
    case 'enhanced-route-refresh':
      w.u8(CAPABILITY.enhancedRouteRefresh).u8(0);
      return;
    case 'four-octet-as':
      w.u8(CAPABILITY.fourOctetAs).u8(4).u32(c.asn);
      return;
    case 'graceful-restart':
      w.u8(CAPABILITY.gracefulRestart).u8(2 + 4 * c.families.length);
      w.u16((c.restarting ? 0x8000 : 0) | (c.notification ? 0x4000 : 0) | (c.restartTimeSec & 0x0fff));
      for (const f of c.families) w.u16(f.afi).u8(f.safi).u8(f.forwardingPreserved ? 0x80 : 0);
      return;
    case 'unknown': {
      const value = Uint8Array.from(c.value.match(/../g) ?? [], (h) => parseInt(h, 16));
      w.u8(c.code).u8(value.length).bytes(value);
      return;
    }
  }
}

/**
 * Write the OPEN body. Each capability goes in its own parameter (as most speakers do) unless
 * `capabilityGroups` says how many share each one. Extended parameter lengths (RFC 9072) are used
 * when asked for or when the parameters would not fit in 255 bytes.
 */
export function writeOpen(w: ByteWriter, m: OpenMessage): void {
  w.u8(m.version).u16(m.myAs).u16(m.holdTimeSec);
  for (const part of m.bgpId.split('.')) w.u8(Number(part));
  const groups = m.capabilityGroups ?? m.capabilities.map(() => 1);
  assert(groups.reduce((n, g) => n + g, 0) === m.capabilities.length, 'capabilityGroups do not add up to the capabilities');
  const params: Uint8Array[] = [];
  let next = 0;
  for (const count of groups) {
    const pw = new ByteWriter(32);
    for (const c of m.capabilities.slice(next, next + count)) writeCapability(pw, c);
    next += count;
    params.push(pw.finish());
  }
  const plainLength = params.reduce((n, p) => n + 2 + p.length, 0);
  const extended = m.extendedParams === true || plainLength > 255 || params.some((p) => p.length > 255);
  const paramsLength = extended ? params.reduce((n, p) => n + 3 + p.length, 0) : plainLength;
  if (extended) w.u8(255).u8(255).u16(paramsLength);
  else w.u8(paramsLength);
  for (const p of params) {
    w.u8(OPT_PARAM.capabilities);
    if (extended) w.u16(p.length);
    else w.u8(p.length);
    w.bytes(p);
  }
}
