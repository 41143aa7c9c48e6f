// BIRD 2's text view of a Flowspec route (`birdc show route table flowtab4 all`) turned into our
// model, so what BIRD received can be compared with what we sent. Bitmask components are compared
// by what they match (BIRD prints "!0x0/0x5" and names like "!!is_fragment"), numeric ones by
// their canonical interval unions.
import type { BitmaskMatch, RuleMatch } from '../../src/rules/model.js';
import {
  type BitmaskWireTerm,
  COMPONENTS,
  type FlowspecExtCommunity,
  type NumericTerm,
  bitmaskTermsToMatch,
  decodeExtCommunity,
  evaluateNumericTerms,
  smallestValueLength,
} from '../../src/flowspec/index.js';

const KEYS: Array<[string, keyof RuleMatch]> = [
  ['next header', 'protocols'],
  ['icmp type', 'icmpTypes'],
  ['icmp code', 'icmpCodes'],
  ['tcp flags', 'tcpFlags'],
  ['dst', 'destination'],
  ['src', 'source'],
  ['proto', 'protocols'],
  ['dport', 'destinationPorts'],
  ['sport', 'sourcePorts'],
  ['port', 'ports'],
  ['length', 'packetLengths'],
  ['dscp', 'dscp'],
  ['fragment', 'fragment'],
  ['label', 'flowLabel'],
];

const FRAGMENT_NAMES: Record<string, number> = { dont_fragment: 1, is_fragment: 2, first_fragment: 4, last_fragment: 8 };

function numericTerms(text: string): NumericTerm[] {
  const out: NumericTerm[] = [];
  for (const item of text.split(',')) {
    item.split('&&').forEach((raw, i) => {
      const part = raw.trim();
      const range = /^(\d+)\.\.(\d+)$/.exec(part);
      if (range) {
        const [min, max] = [Number(range[1]), Number(range[2])];
        out.push({ and: i > 0, op: '>=', value: min, valueLength: smallestValueLength(min) }, { and: true, op: '<=', value: max, valueLength: smallestValueLength(max) });
        return;
      }
      const m = /^(>=|<=|!=|=|>|<)?\s*(\d+)$/.exec(part);
      if (!m) throw new Error(`BIRD numeric term "${part}" not understood`);
      const op = (m[1] === undefined || m[1] === '=' ? '==' : m[1]) as NumericTerm['op'];
      const value = Number(m[2]);
      out.push({ and: i > 0, op, value, valueLength: smallestValueLength(value) });
    });
  }
  return out;
}

function bitmaskTerms(text: string): BitmaskWireTerm[] {
  const out: BitmaskWireTerm[] = [];
  for (const clause of text.split('||')) {
    clause.split('&&').forEach((raw, i) => {
      const part = raw.trim();
      const bangs = /^!*/.exec(part)![0].length;
      const body = part.slice(bangs);
      let value: number;
      let mask: number;
      let negated: boolean;
      const hex = /^(0x[0-9a-f]+)\/(0x[0-9a-f]+)$/i.exec(body);
      if (hex) {
        value = Number(hex[1]);
        mask = Number(hex[2]);
        negated = bangs % 2 === 1;
      } else {
        const bit = FRAGMENT_NAMES[body];
        if (bit === undefined) throw new Error(`BIRD bitmask term "${part}" not understood`);
        // "name" = bit/bit, "!name" = 0/bit, "!!name" = !(0/bit).
        mask = bit;
        value = bangs === 0 ? bit : 0;
        negated = bangs === 2;
      }
      if (value !== 0 && value !== mask) throw new Error(`BIRD bitmask ${part}: partial value/mask has no single RFC 8955 operator`);
      // (data & mask) == mask -> m=1; (data & mask) == 0 -> "none" = not + m=0; negations flip.
      const all = value === mask;
      out.push({ and: i > 0, match: all, not: all ? negated : !negated, value: mask, valueLength: smallestValueLength(mask) });
    });
  }
  return out;
}

export interface BirdRoute {
  readonly family: 'ipv4' | 'ipv6';
  readonly match: RuleMatch;
  readonly communities: FlowspecExtCommunity[];
}

/** Parse `show route table flowtabN all` output into routes. */
export function parseBirdFlowRoutes(output: string): BirdRoute[] {
  const routes: BirdRoute[] = [];
  let current: BirdRoute | undefined;
  for (const line of output.split('\n')) {
    const head = /^(flow[46]) \{ (.*) \}\s+\[/.exec(line);
    if (head) {
      const family = head[1] === 'flow4' ? 'ipv4' : 'ipv6';
      const match: Record<string, unknown> = {};
      for (const raw of head[2]!.split(';')) {
        const comp = raw.trim();
        if (!comp) continue;
        const entry = KEYS.find(([k]) => comp.startsWith(`${k} `));
        if (!entry) throw new Error(`BIRD component "${comp}" not understood`);
        const [key, field] = entry;
        const rest = comp.slice(key.length + 1).trim();
        const info = COMPONENTS.find((c) => c.matchKey === field)!;
        if (info.kind === 'prefix') {
          const off = /^(\S+)(?: offset (\d+))?$/.exec(rest)!;
          match[field] = off[1];
          if (off[2] && off[2] !== '0') match[field === 'destination' ? 'destinationOffset' : 'sourceOffset'] = Number(off[2]);
        } else if (info.kind === 'numeric') {
          match[field] = evaluateNumericTerms(numericTerms(rest), info.fieldMax);
        } else {
          match[field] = bitmaskTermsToMatch(bitmaskTerms(rest));
        }
      }
      current = { family, match: match as RuleMatch, communities: [] };
      routes.push(current);
      continue;
    }
    const ext = /BGP\.ext_community: (.*)$/.exec(line);
    if (ext && current) {
      for (const m of ext[1]!.matchAll(/\(generic, (0x[0-9a-f]+), (0x[0-9a-f]+)\)/gi)) {
        const hex = Number(m[1]).toString(16).padStart(8, '0') + Number(m[2]).toString(16).padStart(8, '0');
        const d = decodeExtCommunity(Uint8Array.from(Buffer.from(hex, 'hex')));
        if (!d.ok) throw new Error(d.error.message);
        current.communities.push(d.value);
      }
    }
  }
  return routes;
}

function bitmaskHolds(match: BitmaskMatch, x: number): boolean {
  return match.some((clause) =>
    clause.every((t) => {
      const v = x & t.bits;
      switch (t.op) {
        case 'all':
          return v === t.bits;
        case 'any':
          return v !== 0;
        case 'none':
          return v === 0;
        case 'not-all':
          return v !== t.bits;
      }
    }),
  );
}

/** Replace bitmask components by the set of field values they match (hex bit-string). */
export function semanticMatch(match: RuleMatch): Record<string, unknown> {
  const out: Record<string, unknown> = { ...match };
  for (const [field, max] of [['tcpFlags', 0xfff], ['fragment', 0xff]] as const) {
    const m = match[field];
    if (!m) continue;
    let bits = '';
    for (let x = 0; x <= max; x++) bits += bitmaskHolds(m, x) ? '1' : '0';
    out[field] = bits;
  }
  return out;
}
