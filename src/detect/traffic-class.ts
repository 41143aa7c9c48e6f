// Traffic classes a detector keeps rates for, and the attack type they point to.
import type { FlowRecord } from '../telemetry/flow-record.js';
import type { AttackType } from './types.js';

/** UDP source ports of well-known reflection/amplification services. */
export const AMPLIFICATION_PORTS: Readonly<Record<number, AttackType>> = {
  53: 'dns-amplification',
  123: 'ntp-amplification',
  11211: 'memcached-amplification',
  1900: 'ssdp-amplification',
  19: 'amplification', // chargen
  161: 'amplification', // snmp
  389: 'amplification', // cldap
  3702: 'amplification', // ws-discovery
};

export type TrafficClass = 'amplification' | 'tcp-syn' | 'udp' | 'fragment' | 'tcp' | 'icmp' | 'other';
export const TRAFFIC_CLASSES: readonly TrafficClass[] = ['amplification', 'tcp-syn', 'udp', 'fragment', 'tcp', 'icmp', 'other'];

export function classifyFlow(f: FlowRecord): TrafficClass {
  if (f.fragmentFlags & 0x02) return 'fragment';
  if (f.protocol === 17) return AMPLIFICATION_PORTS[f.srcPort] !== undefined ? 'amplification' : 'udp';
  if (f.protocol === 6) return (f.tcpFlags & 0x12) === 0x02 ? 'tcp-syn' : 'tcp';
  if (f.protocol === 1 || f.protocol === 58) return 'icmp';
  return 'other';
}

/** The attack type a dominant traffic class points to (amplification is refined by source port). */
export function attackTypeOfClass(cls: TrafficClass): AttackType {
  switch (cls) {
    case 'amplification':
      return 'amplification';
    case 'tcp-syn':
      return 'syn-flood';
    case 'udp':
      return 'udp-flood';
    case 'fragment':
      return 'fragment-flood';
    case 'tcp':
    case 'icmp':
    case 'other':
      return 'volumetric';
  }
}
