// Flow Specification component types (RFC 8955 §4.2.2, RFC 8956 §3; IANA "Flow Spec Component Types").
import type { RuleFamily, RuleMatch } from '../rules/model.js';

export const COMPONENT_TYPE = {
  destinationPrefix: 1,
  sourcePrefix: 2,
  /** IP protocol (IPv4) / upper-layer protocol (IPv6, RFC 8956 §3.3). */
  protocol: 3,
  port: 4,
  destinationPort: 5,
  sourcePort: 6,
  icmpType: 7,
  icmpCode: 8,
  tcpFlags: 9,
  packetLength: 10,
  dscp: 11,
  fragment: 12,
  /** IPv6 only (RFC 8956 §3.7). */
  flowLabel: 13,
} as const;

export type ComponentTypeName = keyof typeof COMPONENT_TYPE;
export type ComponentType = (typeof COMPONENT_TYPE)[ComponentTypeName];

export type ComponentKind = 'prefix' | 'numeric' | 'bitmask';

export interface ComponentInfo {
  readonly type: ComponentType;
  readonly name: ComponentTypeName;
  readonly kind: ComponentKind;
  /** Largest value the packet field can hold (numeric components); the canonical interval domain. */
  readonly fieldMax: number;
  /** The RuleMatch key this component maps to. */
  readonly matchKey: keyof RuleMatch;
  readonly families: readonly RuleFamily[];
}

const both: readonly RuleFamily[] = ['ipv4', 'ipv6'];

export const COMPONENTS: readonly ComponentInfo[] = [
  { type: 1, name: 'destinationPrefix', kind: 'prefix', fieldMax: 0, matchKey: 'destination', families: both },
  { type: 2, name: 'sourcePrefix', kind: 'prefix', fieldMax: 0, matchKey: 'source', families: both },
  { type: 3, name: 'protocol', kind: 'numeric', fieldMax: 0xff, matchKey: 'protocols', families: both },
  { type: 4, name: 'port', kind: 'numeric', fieldMax: 0xffff, matchKey: 'ports', families: both },
  { type: 5, name: 'destinationPort', kind: 'numeric', fieldMax: 0xffff, matchKey: 'destinationPorts', families: both },
  { type: 6, name: 'sourcePort', kind: 'numeric', fieldMax: 0xffff, matchKey: 'sourcePorts', families: both },
  { type: 7, name: 'icmpType', kind: 'numeric', fieldMax: 0xff, matchKey: 'icmpTypes', families: both },
  { type: 8, name: 'icmpCode', kind: 'numeric', fieldMax: 0xff, matchKey: 'icmpCodes', families: both },
  // TCP flags: RFC 8955 §4.2.2.9 allows 1 or 2 byte values (the 16-bit word holding data offset and flags).
  { type: 9, name: 'tcpFlags', kind: 'bitmask', fieldMax: 0xffff, matchKey: 'tcpFlags', families: both },
  { type: 10, name: 'packetLength', kind: 'numeric', fieldMax: 0xffff, matchKey: 'packetLengths', families: both },
  { type: 11, name: 'dscp', kind: 'numeric', fieldMax: 0x3f, matchKey: 'dscp', families: both },
  { type: 12, name: 'fragment', kind: 'bitmask', fieldMax: 0xff, matchKey: 'fragment', families: both },
  { type: 13, name: 'flowLabel', kind: 'numeric', fieldMax: 0xfffff, matchKey: 'flowLabel', families: ['ipv6'] },
];

const byType = new Map<number, ComponentInfo>(COMPONENTS.map((c) => [c.type, c]));

/** Component info for a type code in a family, or undefined when the type is unknown there. */
export function findComponent(type: number, family: RuleFamily): ComponentInfo | undefined {
  const info = byType.get(type);
  return info && info.families.includes(family) ? info : undefined;
}

export function componentInfo(type: ComponentType): ComponentInfo {
  const info = byType.get(type);
  if (!info) throw new Error(`no component type ${type}`);
  return info;
}
