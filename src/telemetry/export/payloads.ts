// Application payloads for synthetic packets, built byte for byte from a PayloadSpec so that a
// datagram (and its checksums) is a pure function of its description. Formats follow the wire
// layouts of RFC 1035 §4 (DNS), RFC 5905 §7.3 (NTP), the ntpd mode 7 MON_GETLIST_1 response,
// UPnP SSDP (HTTP over UDP), the memcached UDP frame header, RFC 9000 §17.2.2 (QUIC Initial)
// and RFC 8446 §5.1 (TLS record). They are realistic enough for tshark to dissect; no crypto.
import { unreachable } from '../../lib/assert.js';
import { ByteWriter } from '../../lib/byte-writer.js';
import type { PayloadSpec } from './packet-spec.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Deterministic pseudo-random bytes (xorshift32) for encrypted-looking data. */
export function fillerBytes(lengthBytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, lengthBytes));
  let x = (seed ^ 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const dnsNames = new Map<string, Uint8Array>();

/** RFC 1035 §3.1 labels (memoised: the generator uses a few names over and over). */
function encodeDnsName(name: string): Uint8Array {
  const known = dnsNames.get(name);
  if (known) return known;
  const w = new ByteWriter(name.length + 2);
  for (const label of name.split('.').filter((l) => l.length > 0)) {
    const b = ascii(label.slice(0, 63));
    w.u8(b.length).bytes(b);
  }
  const out = w.u8(0).finish();
  if (dnsNames.size < 4096) dnsNames.set(name, out);
  return out;
}

const DNS_HEADER_BYTES = 12;
const EDNS_OPT_BYTES = 11; // RFC 6891 §6.1.2: root name, type 41, payload size, ext-rcode/version/flags, rdlength 0
const TXT_RR_OVERHEAD = 12; // compressed name pointer, type, class, ttl, rdlength

function dnsQuestionBytes(name: string): number {
  return encodeDnsName(name).length + 4;
}

function writeEdnsOpt(w: ByteWriter): void {
  w.u8(0).u16(41).u16(4096).u32(0).u16(0);
}

function buildDnsQuery(id: number, name: string, qtype: number): Uint8Array {
  const w = new ByteWriter(64);
  w.u16(id).u16(0x0100).u16(1).u16(0).u16(0).u16(1); // RD; one question, one OPT
  w.bytes(encodeDnsName(name)).u16(qtype).u16(1);
  writeEdnsOpt(w);
  return w.finish();
}

/** DNS response padded with TXT answers to exactly `lengthBytes` when that is at least the minimum. */
function buildDnsResponse(id: number, name: string, qtype: number, lengthBytes: number): Uint8Array {
  const fixed = DNS_HEADER_BYTES + dnsQuestionBytes(name) + EDNS_OPT_BYTES;
  const target = Math.min(65_507, lengthBytes);
  let rest = Math.max(TXT_RR_OVERHEAD + 1, target - fixed);
  // Answers of at most ~500 bytes each, as a resolver's large TXT/DNSKEY sets look.
  const answers: number[] = [];
  while (rest > 0) {
    let size = Math.min(rest, 500);
    if (rest - size > 0 && rest - size < TXT_RR_OVERHEAD + 1) size = rest - (TXT_RR_OVERHEAD + 1);
    answers.push(size);
    rest -= size;
  }
  const w = new ByteWriter(target + 16);
  w.u16(id).u16(0x8180).u16(1).u16(answers.length).u16(0).u16(1); // QR RD RA; answers; one OPT
  w.bytes(encodeDnsName(name)).u16(qtype).u16(1);
  let n = 0;
  for (const size of answers) {
    const rdlength = size - TXT_RR_OVERHEAD;
    w.u16(0xc00c).u16(16).u16(1).u32(3600).u16(rdlength);
    // character-strings of up to 255 bytes each (RFC 1035 §3.3.14)
    for (let left = rdlength; left > 0; ) {
      const chunk = Math.min(256, left);
      w.u8(chunk - 1);
      for (let i = 0; i < chunk - 1; i++) w.u8(0x61 + ((n + i) % 26));
      n++;
      left -= chunk;
    }
  }
  writeEdnsOpt(w);
  return w.finish();
}

function buildNtp(mode: 3 | 4, seed: number): Uint8Array {
  const w = new ByteWriter(48);
  const t = fillerBytes(32, seed);
  w.u8((4 << 3) | mode).u8(mode === 4 ? 2 : 0).u8(6).u8(0xec); // LI 0, VN 4, mode; stratum; poll; precision 2^-20
  w.u32(mode === 4 ? 0x00000120 : 0).u32(mode === 4 ? 0x00000240 : 0).u32(mode === 4 ? 0xc0000201 : 0);
  w.bytes(t); // reference, origin, receive, transmit timestamps
  return w.finish();
}

/** ntpd mode 7 response (private mode): R=1 VN=2 mode 7, implementation 3 (XNTPD), request 42 (MON_GETLIST_1), items × 72 bytes. */
function buildNtpMonlist(items: number, seed: number): Uint8Array {
  const n = Math.max(0, Math.min(items, 0xfff));
  const w = new ByteWriter(8 + 72 * n);
  w.u8(0x80 | (2 << 3) | 7).u8(0).u8(3).u8(42).u16(n & 0x0fff).u16(72);
  w.bytes(fillerBytes(72 * n, seed));
  return w.finish();
}

function buildSsdpResponse(lengthBytes: number, seed: number): Uint8Array {
  const uuid = Array.from(fillerBytes(16, seed), (b) => b.toString(16).padStart(2, '0')).join('');
  const head = `HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: upnp:rootdevice\r\nUSN: uuid:${uuid}::upnp:rootdevice\r\nEXT:\r\nSERVER: Linux/3.14 UPnP/1.0 IpBridge/1.26.0`;
  const tail = '\r\nLOCATION: http://192.168.1.1:80/description.xml\r\n\r\n';
  const pad = Math.max(0, lengthBytes - head.length - tail.length);
  return ascii(`${head}${' x'.repeat(Math.ceil(pad / 2)).slice(0, pad)}${tail}`);
}

function buildMemcachedResponse(lengthBytes: number, requestId: number, sequence: number, total: number): Uint8Array {
  const w = new ByteWriter(lengthBytes);
  w.u16(requestId).u16(sequence).u16(total).u16(0); // UDP frame header
  // Each datagram answers one key of a multi-key get (reflection attacks ask for many keys).
  const head = ascii(`VALUE k${sequence} 0 ${Math.max(0, lengthBytes - 8 - 24)}\r\n`);
  w.bytes(head.subarray(0, Math.max(0, lengthBytes - 8)));
  for (let i = w.length; i < lengthBytes; i++) w.u8(0x41 + (i % 26));
  return w.finish();
}

function buildQuicInitial(lengthBytes: number, seed: number): Uint8Array {
  const header = 1 + 4 + 1 + 8 + 1 + 8 + 1 + 2; // first byte, version, dcid, scid, token length, length
  const rest = Math.max(4, lengthBytes - header); // packet number (4) + protected payload
  const ids = fillerBytes(16, seed);
  const w = new ByteWriter(header + rest);
  w.u8(0xc3).u32(1).u8(8).bytes(ids.subarray(0, 8)).u8(8).bytes(ids.subarray(8, 16)).u8(0);
  w.u16(0x4000 | (rest & 0x3fff)); // 2-byte variable-length integer
  w.bytes(fillerBytes(rest, seed + 1));
  return w.finish();
}

/** RFC 9000 §17.3.1: header form 0, fixed bit 1, 4-byte packet number; 8-byte DCID. */
function buildQuicShort(lengthBytes: number, connection: number, seed: number): Uint8Array {
  const n = Math.max(14, lengthBytes);
  const w = new ByteWriter(n);
  w.u8(0x43).bytes(fillerBytes(8, connection)).bytes(fillerBytes(n - 9, seed));
  return w.finish();
}

function buildTls(lengthBytes: number, seed: number): Uint8Array {
  if (lengthBytes < 6) return fillerBytes(lengthBytes, seed);
  const w = new ByteWriter(lengthBytes);
  w.u8(23).u16(0x0303).u16(lengthBytes - 5).bytes(fillerBytes(lengthBytes - 5, seed));
  return w.finish();
}

function buildHttpRequest(host: string, path: string): Uint8Array {
  return ascii(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: Mozilla/5.0 (failsmall synth)\r\nAccept: */*\r\nAccept-Encoding: gzip, br\r\n\r\n`);
}

function buildEchoData(lengthBytes: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, lengthBytes));
  for (let i = 0; i < out.length; i++) out[i] = (i + 0x08) & 0xff;
  return out;
}

export function buildPayload(p: PayloadSpec): Uint8Array {
  switch (p.kind) {
    case 'none':
      return new Uint8Array(0);
    case 'bytes':
      return p.data;
    case 'filler':
      return fillerBytes(p.lengthBytes, p.seed);
    case 'tls':
      return buildTls(p.lengthBytes, p.seed);
    case 'http-request':
      return buildHttpRequest(p.host, p.path);
    case 'quic-initial':
      return buildQuicInitial(p.lengthBytes, p.seed);
    case 'quic-short':
      return buildQuicShort(p.lengthBytes, p.connection, p.seed);
    case 'dns-query':
      return buildDnsQuery(p.id, p.name, p.qtype);
    case 'dns-response':
      return buildDnsResponse(p.id, p.name, p.qtype, p.lengthBytes);
    case 'ntp':
      return buildNtp(p.mode, p.seed);
    case 'ntp-monlist':
      return buildNtpMonlist(p.items, p.seed);
    case 'ssdp-response':
      return buildSsdpResponse(p.lengthBytes, p.seed);
    case 'memcached-response':
      return buildMemcachedResponse(p.lengthBytes, p.requestId, p.sequence, p.total);
    case 'echo-data':
      return buildEchoData(p.lengthBytes);
    default:
      return unreachable(p, 'payload kind');
  }
}

/** Payload length without building it (the flow meter and fragment planner need only this). */
export function payloadLength(p: PayloadSpec): number {
  switch (p.kind) {
    case 'none':
      return 0;
    case 'bytes':
      return p.data.length;
    case 'filler':
    case 'tls':
    case 'echo-data':
      return Math.max(0, p.lengthBytes);
    case 'memcached-response':
      return Math.max(8, p.lengthBytes);
    case 'quic-initial':
      return 26 + Math.max(4, p.lengthBytes - 26);
    case 'quic-short':
      return Math.max(14, p.lengthBytes);
    case 'dns-query':
      return DNS_HEADER_BYTES + dnsQuestionBytes(p.name) + EDNS_OPT_BYTES;
    case 'ntp':
      return 48;
    case 'ntp-monlist':
      return 8 + 72 * Math.max(0, Math.min(p.items, 0xfff));
    case 'dns-response': {
      const fixed = DNS_HEADER_BYTES + dnsQuestionBytes(p.name) + EDNS_OPT_BYTES;
      return fixed + Math.max(TXT_RR_OVERHEAD + 1, Math.min(65_507, p.lengthBytes) - fixed);
    }
    case 'http-request':
    case 'ssdp-response':
      return buildPayload(p).length;
    default:
      return unreachable(p, 'payload kind');
  }
}
