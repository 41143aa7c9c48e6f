import { describe, expect, it } from 'vitest';
import { parseAgentRequest, parseNftCounters } from './protocol.js';

// `nft -j list table inet failsmall` from nft 1.0.6 (Debian 12) after loading the renderer's
// output for two rules; only the counter values were edited (captured at 0/0).
const NFT_JSON = `{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "failsmall", "handle": 2}}, {"chain": {"family": "inet", "table": "failsmall", "name": "flowspec", "handle": 1, "type": "filter", "hook": "prerouting", "prio": -300, "policy": "accept"}}, {"rule": {"family": "inet", "table": "failsmall", "chain": "flowspec", "handle": 2, "comment": "lab-dns", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "10.200.0.2"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "10.200.0.1"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 53}}, {"counter": {"packets": 20, "bytes": 2560}}, {"drop": null}]}}, {"rule": {"family": "inet", "table": "failsmall", "chain": "flowspec", "handle": 4, "comment": "multi", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "10.200.0.2"}}, {"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": {"set": ["tcp", "udp"]}}}, {"counter": {"packets": 3, "bytes": 180}}, {"limit": {"rate": 1000, "burst": 0, "per": "second", "inv": true, "rate_unit": "bytes", "burst_unit": "bytes"}}, {"drop": null}]}}]}`;

const rule = { id: 'r1', family: 'ipv4', match: { destination: '10.200.0.2/32', destinationPorts: [{ min: 53, max: 53 }] }, action: { kind: 'discard' }, scope: { kind: 'global' }, provenance: {} };

describe('parseNftCounters', () => {
  it('reads per-rule counters from nft JSON by the comment that carries the rule id', () => {
    expect(parseNftCounters(NFT_JSON)).toEqual([
      { ruleId: 'lab-dns', packets: 20, bytes: 2560 },
      { ruleId: 'multi', packets: 3, bytes: 180 },
    ]);
  });
  it('answers undefined for text that is not nft JSON, and [] for an empty table', () => {
    expect(parseNftCounters('Error: No such file or directory')).toBeUndefined();
    expect(parseNftCounters('{"x": 1}')).toBeUndefined();
    expect(parseNftCounters('{"nftables": [{"metainfo": {}}]}')).toEqual([]);
  });
});

describe('parseAgentRequest', () => {
  it('accepts the five operations with a well-formed artifact', () => {
    for (const line of [
      JSON.stringify({ op: 'apply', artifact: { kind: 'flowspec', add: [rule], withdraw: [] } }),
      JSON.stringify({ op: 'revert', artifact: { kind: 'flowspec', add: [rule], withdraw: [] } }),
      '{"op":"health"}',
      '{"op":"installed"}',
      '{"op":"counters"}',
    ]) {
      expect(parseAgentRequest(line).ok, line).toBe(true);
    }
  });
  it('refuses malformed requests with agent_bad_request and a path, never throwing', () => {
    const bad = [
      '{not json',
      '{"op":"reboot"}',
      JSON.stringify({ op: 'apply' }),
      JSON.stringify({ op: 'apply', artifact: { kind: 'flowspec', add: [{ ...rule, match: { destinationPorts: [{ min: '53', max: 53 }] } }], withdraw: [] } }),
      JSON.stringify({ op: 'apply', artifact: { kind: 'flowspec', add: [{ ...rule, match: { protocols: [{ min: -1, max: 6 }] } }], withdraw: [] } }),
      JSON.stringify({ op: 'apply', artifact: { kind: 'flowspec', add: [{ ...rule, match: { typo: 1 } }], withdraw: [] } }),
      JSON.stringify({ op: 'apply', artifact: { kind: 'flowspec', add: [{ ...rule, id: 'x" drop' }], withdraw: [] } }),
      JSON.stringify({ op: 'apply', artifact: { kind: 'flowspec', add: [{ ...rule, action: { kind: 'mark-dscp', dscp: 64 } }], withdraw: [] } }),
    ];
    for (const line of bad) {
      const r = parseAgentRequest(line);
      expect(r.ok, line).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('agent_bad_request');
    }
    const r = parseAgentRequest(bad[3]!);
    if (!r.ok) expect(r.error.message).toMatch(/artifact\.add\.0\.match\.destinationPorts\.0\.min/);
  });
});
