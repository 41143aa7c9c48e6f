// Keeps the code registry (src/error-codes.ts) and docs/errors.md in step, both ways.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_CODE_GROUPS } from '../../src/error-codes.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set([...doc.matchAll(/^\|\s*`([a-z0-9_]+)`\s*\|/gm)].map((m) => m[1]!));
const codes = new Set(Object.values(ALL_CODE_GROUPS).flatMap((g) => Object.keys(g)));

describe('docs/errors.md', () => {
  it('documents every code in the registry', () => {
    const missing = [...codes].filter((c) => !documented.has(c));
    expect(missing).toEqual([]);
  });
  it('documents no code the registry lacks', () => {
    const stale = [...documented].filter((c) => !codes.has(c));
    expect(stale).toEqual([]);
  });
});
