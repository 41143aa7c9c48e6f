// One shared check over every BGP/Flowspec vector:
//  captured/      real gobgpd/exabgp messages: decode = golden JSON, encode(decode) = the bytes.
//  flowspec-nlri/ RFC examples: NLRI decodes to the hand-written model match; the canonical
//                 encoder gives the same bytes back from that match.
//  bad/           malformed messages: the expected NOTIFICATION or RFC 7606 issues, never a throw.
//  regressions/   inputs that once broke the decoder (fuzz finds) and hand-built edge cases:
//                 no decoder_bug, no throw, and what decodes re-encodes.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../../src/lib/byte-writer.js';
import { ByteReader } from '../../../src/lib/byte-reader.js';
import { decodeBgpMessage, encodeBgpMessage } from '../../../src/bgp/messages/index.js';
import { nlriToMatch, readFlowspecNlriList, ruleToFlowspec, encodeFlowspecNlri } from '../../../src/flowspec/index.js';
import type { RuleFamily } from '../../../src/rules/model.js';
import { goldenOf } from './golden.js';

const root = dirname(fileURLToPath(import.meta.url));

function hexFiles(dir: string): string[] {
  const path = join(root, dir);
  return existsSync(path) ? readdirSync(path).filter((f) => f.endsWith('.hex')).sort() : [];
}

function header(text: string, key: string): string | undefined {
  return new RegExp(`^# ${key}: (.*)$`, 'm').exec(text)?.[1];
}

describe('captured vectors (gobgpd / exabgp sessions)', () => {
  const files = hexFiles('captured');
  it('has captures from both tools', () => {
    expect(files.some((f) => f.includes('gobgpd-update'))).toBe(true);
    expect(files.some((f) => f.includes('exabgp-update'))).toBe(true);
  });
  for (const file of files) {
    it(file, () => {
      const text = readFileSync(join(root, 'captured', file), 'utf8');
      expect(header(text, 'source')).toBeTruthy();
      const bytes = hexToBytes(text);
      const decoded = decodeBgpMessage(bytes);
      const golden = JSON.parse(readFileSync(join(root, 'captured', file.replace(/\.hex$/, '.json')), 'utf8'));
      expect(JSON.parse(JSON.stringify(goldenOf(decoded)))).toEqual(golden);
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) return;
      const encoded = encodeBgpMessage(decoded.value.message);
      expect(bytesToHex(encoded)).toBe(bytesToHex(bytes));
      expect(encoded.length).toBe(bytes.length);
    });
  }
});

describe('RFC Flowspec NLRI examples', () => {
  for (const file of hexFiles('flowspec-nlri')) {
    it(file, () => {
      const text = readFileSync(join(root, 'flowspec-nlri', file), 'utf8');
      const family = header(text, 'family') as RuleFamily;
      const bytes = hexToBytes(text);
      const golden = JSON.parse(readFileSync(join(root, 'flowspec-nlri', file.replace(/\.hex$/, '.json')), 'utf8'));
      const entries = readFlowspecNlriList(new ByteReader(bytes), family);
      expect(entries).toHaveLength(1);
      const entry = entries[0]!;
      expect(entry.result.ok).toBe(true);
      if (!entry.result.ok) return;
      expect(nlriToMatch(entry.result.value)).toEqual(golden.match);
      // Wire form re-encodes to the same bytes.
      expect(bytesToHex(encodeFlowspecNlri(entry.result.value))).toBe(bytesToHex(bytes));
      // The canonical encoder, starting from the model, produces the RFC's own bytes.
      const rule = ruleToFlowspec({ id: 'x', family, match: golden.match, action: { kind: 'accept' }, scope: { kind: 'global' }, provenance: {} });
      expect(rule.ok).toBe(true);
      if (rule.ok) expect(bytesToHex(encodeFlowspecNlri(rule.value.nlri))).toBe(bytesToHex(bytes));
    });
  }
});

describe('malformed message vectors', () => {
  const files = hexFiles('bad');
  it('covers header, OPEN, UPDATE and ROUTE-REFRESH errors', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });
  for (const file of files) {
    it(file, () => {
      const text = readFileSync(join(root, 'bad', file), 'utf8');
      const expected = JSON.parse(header(text, 'expect')!);
      const decoded = decodeBgpMessage(hexToBytes(text));
      if ('notification' in expected) {
        expect(decoded.ok).toBe(false);
        if (decoded.ok) return;
        expect(decoded.error.code).toBe(expected.code);
        expect(`${decoded.error.notification.code}/${decoded.error.notification.subcode}`).toBe(expected.notification);
        if (expected.data !== undefined) expect(decoded.error.notification.data).toBe(expected.data);
      } else {
        expect(decoded.ok).toBe(true);
        if (!decoded.ok) return;
        expect(decoded.value.issues.map((i) => ({ code: i.code, action: i.action }))).toEqual(expected.issues);
        expect(decoded.value.treatAsWithdraw).toBe(expected.issues.some((i: { action: string }) => i.action === 'treat-as-withdraw'));
      }
    });
  }
});

describe('fuzz regression inputs', () => {
  for (const file of hexFiles('regressions')) {
    it(file, () => {
      const text = readFileSync(join(root, 'regressions', file), 'utf8');
      const decoded = decodeBgpMessage(hexToBytes(text));
      if (!decoded.ok) expect(decoded.error.code).not.toBe('decoder_bug');
      else {
        // Whatever decodes must encode again and decode again.
        expect(decodeBgpMessage(encodeBgpMessage(decoded.value.message)).ok).toBe(true);
      }
    });
  }
});
