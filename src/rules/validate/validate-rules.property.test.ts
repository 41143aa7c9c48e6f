// The validator takes whatever the model can hold (NaN, negative, huge, malformed prefixes and
// scopes) and answers with findings: it never throws and every finding uses a registered code.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeviceModel } from '../../fleet/device-model.js';
import { loadDeviceModelsSync } from '../../fleet/io/device-model-files.js';
import type { NetworkDescription } from '../../fleet/network.js';
import type { BitmaskMatch, MitigationRule, NumericRange, RuleAction, RuleMatch, RuleScope } from '../model.js';
import { RULES_VALIDATE_CODES } from './codes.js';
import { validateRules } from './index.js';

const shipped = loadDeviceModelsSync();
const withEveryTrigger: DeviceModel = {
  ...shipped.find((m) => m.id === 'linux-nftables')!,
  advisories: [
    { id: 'A1', title: 't', osVersions: {}, trigger: { kind: 'component-value-above', component: 'ports', max: 1000 }, effect: 'crash-reboot' },
    { id: 'A2', title: 't', osVersions: { max: '6' }, trigger: { kind: 'component-present', component: 'fragment' }, effect: 'rule-ignored' },
    { id: 'A3', title: 't', osVersions: { min: '5' }, trigger: { kind: 'range-count-above', component: 'packetLengths', count: 1 }, effect: 'misprogrammed' },
    { id: 'A4', title: 't', osVersions: {}, trigger: { kind: 'action', action: 'redirect' }, effect: 'crash-no-reboot' },
  ],
};
const models = [withEveryTrigger, ...shipped.filter((m) => m.id !== 'linux-nftables')];

const network: NetworkDescription = {
  name: 'prop',
  ownedPrefixes: ['198.51.100.0/24', '2001:db8::/32'],
  mtuBytes: 1500,
  pops: [
    { id: 'a', region: 'eu', anycastPrefixes: [], mtuBytes: 9000, routers: [{ id: 'a1', vendor: 'linux', model: 'linux-nftables', osVersion: '6.1' }, { id: 'a2', vendor: 'cisco', model: 'ASR9006', osVersion: '6.1.4' }] },
    { id: 'b', region: 'us', anycastPrefixes: [], routers: [{ id: 'b1', vendor: 'juniper', model: 'MX480', osVersion: '12.3R1' }, { id: 'b2', vendor: 'arista', model: '7280R3', osVersion: '4.28.3M' }] },
    { id: 'c', region: 'us', anycastPrefixes: [], routers: [{ id: 'c1', vendor: 'nokia', model: '7750', osVersion: '1' }] },
  ],
};

const weirdNumber = fc.oneof(
  fc.integer({ min: -5, max: 70_000 }),
  fc.constantFrom(0, 1, 6, 17, 53, 63, 64, 255, 256, 4470, 65535, 65536, 99971, 99985, 0xfffff, 0x100000, -1, 2 ** 53, Number.MAX_VALUE),
  fc.double(), // includes NaN, ±Infinity, -0
);
const ranges: fc.Arbitrary<NumericRange[]> = fc.array(fc.record({ min: weirdNumber, max: weirdNumber }), { maxLength: 4 });
const bitmask: fc.Arbitrary<BitmaskMatch> = fc.array(fc.array(fc.record({ op: fc.constantFrom('all', 'any', 'none', 'not-all'), bits: weirdNumber }), { maxLength: 3 }), { maxLength: 3 });
const prefixText = fc.oneof(
  fc.constantFrom('198.51.100.7/32', '198.51.100.0/24', '198.51.0.0/16', '10.0.0.0/8', '0.0.0.0/0', '2001:db8::1/128', '2001:db8::/32', '::/0', '198.51.100.7/33', '198.51.100.7/24', 'x', '', '1.2.3.4/-1'),
  fc.string({ maxLength: 20 }),
);
const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });

const match: fc.Arbitrary<RuleMatch> = fc.record({
  destination: opt(prefixText),
  destinationOffset: opt(weirdNumber),
  source: opt(prefixText),
  sourceOffset: opt(weirdNumber),
  protocols: opt(ranges),
  ports: opt(ranges),
  destinationPorts: opt(ranges),
  sourcePorts: opt(ranges),
  icmpTypes: opt(ranges),
  icmpCodes: opt(ranges),
  tcpFlags: opt(bitmask),
  packetLengths: opt(ranges),
  dscp: opt(ranges),
  fragment: opt(bitmask),
  flowLabel: opt(ranges),
});

const action: fc.Arbitrary<RuleAction> = fc.oneof(
  fc.constant({ kind: 'accept' as const }),
  fc.constant({ kind: 'discard' as const }),
  weirdNumber.map((bytesPerSec) => ({ kind: 'rate-limit-bytes' as const, bytesPerSec })),
  weirdNumber.map((packetsPerSec) => ({ kind: 'rate-limit-packets' as const, packetsPerSec })),
  fc.string({ maxLength: 12 }).map((target) => ({ kind: 'redirect' as const, target })),
  weirdNumber.map((dscp) => ({ kind: 'mark-dscp' as const, dscp })),
);

const popName = fc.constantFrom('a', 'b', 'c', 'zz', '');
const scope: fc.Arbitrary<RuleScope> = fc.oneof(
  fc.constant({ kind: 'global' as const }),
  fc.array(popName, { maxLength: 4 }).map((pops) => ({ kind: 'pops' as const, pops })),
  fc.array(fc.constantFrom('eu', 'us', 'mars'), { maxLength: 3 }).map((regions) => ({ kind: 'regions' as const, regions })),
);

const rule: fc.Arbitrary<MitigationRule> = fc.record({
  id: fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5'),
  family: fc.constantFrom('ipv4' as const, 'ipv6' as const),
  match,
  action,
  sample: opt(fc.boolean()),
  terminal: opt(fc.boolean()),
  scope,
  expiresAt: opt(fc.oneof(fc.constantFrom('2025-01-01T00:00:00Z', '2030-01-01T00:00:00+01:00', 'soon'), fc.string({ maxLength: 25 }))),
  provenance: fc.record({ author: opt(fc.constantFrom('alice', 'bob')) }),
  approvedBy: opt(fc.constantFrom('alice', 'bob', '')),
});

describe('validateRules on arbitrary rule-shaped input', () => {
  it('never throws and returns findings with registered codes', () => {
    fc.assert(
      fc.property(
        fc.array(rule, { maxLength: 6 }),
        fc.array(rule, { maxLength: 4 }),
        fc.boolean(),
        fc.boolean(),
        fc.oneof(fc.constant(Date.parse('2025-06-01T00:00:00Z')), fc.double()),
        (batch, installed, withNetwork, withModels, nowMs) => {
          const findings = validateRules(batch, {
            nowMs,
            installed,
            ...(withNetwork ? { network } : {}),
            ...(withModels ? { deviceModels: models } : {}),
            approvals: new Map([['r1', 'bob']]),
          });
          expect(Array.isArray(findings)).toBe(true);
          for (const f of findings) {
            expect(Object.keys(RULES_VALIDATE_CODES)).toContain(f.code);
            expect(['error', 'warning']).toContain(f.severity);
            expect(typeof f.message).toBe('string');
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
