// Human-readable text for Flowspec NLRI and action communities (CLI output, logs, test messages).
// Operator chains print as on the wire: "&" joins AND terms, " | " starts an OR clause.
import type { BitmaskWireTerm } from './bitmask-operators.js';
import { COMPONENTS } from './components.js';
import type { FlowspecExtCommunity } from './ext-communities.js';
import type { FlowspecNlri } from './nlri.js';
import type { NumericTerm } from './numeric-operators.js';

const KEBAB: Record<string, string> = {
  destinationPrefix: 'destination',
  sourcePrefix: 'source',
  protocol: 'protocol',
  port: 'port',
  destinationPort: 'destination-port',
  sourcePort: 'source-port',
  icmpType: 'icmp-type',
  icmpCode: 'icmp-code',
  tcpFlags: 'tcp-flags',
  packetLength: 'packet-length',
  dscp: 'dscp',
  fragment: 'fragment',
  flowLabel: 'flow-label',
};

function formatNumeric(terms: readonly NumericTerm[]): string {
  return terms.map((t, i) => `${i === 0 ? '' : t.and ? '&' : ' | '}${t.op === 'true' || t.op === 'false' ? t.op : `${t.op}${t.value}`}`).join('');
}

function formatBitmask(terms: readonly BitmaskWireTerm[]): string {
  return terms
    .map((t, i) => {
      const op = t.match ? (t.not ? '!=' : '=') : t.not ? '!' : '';
      return `${i === 0 ? '' : t.and ? '&' : ' | '}${op}0x${t.value.toString(16)}`;
    })
    .join('');
}

export function formatFlowspecNlri(nlri: FlowspecNlri): string {
  return nlri.components
    .map((c) => {
      const name = KEBAB[COMPONENTS.find((i) => i.type === c.type)?.name ?? ''] ?? `type-${c.type}`;
      if ('prefix' in c) return `${name} ${c.prefix}${c.offset ? ` offset ${c.offset}` : ''}`;
      if ('terms' in c) return `${name} ${formatNumeric(c.terms)}`;
      return `${name} ${formatBitmask(c.bitmask)}`;
    })
    .join(' ');
}

export function formatExtCommunity(c: FlowspecExtCommunity): string {
  switch (c.kind) {
    case 'traffic-rate-bytes':
      return c.bytesPerSec === 0 ? 'discard' : `rate-limit ${c.bytesPerSec} bytes/s`;
    case 'traffic-rate-packets':
      return `rate-limit ${c.packetsPerSec} packets/s`;
    case 'traffic-action':
      return `traffic-action${c.sample ? ' sample' : ''}${c.terminal ? '' : ' non-terminal'}`;
    case 'redirect':
      return `redirect ${c.target}`;
    case 'traffic-marking':
      return `mark dscp ${c.dscp}`;
    case 'other':
      return `ext-community 0x${c.hex}`;
  }
}
