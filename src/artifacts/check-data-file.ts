// Checks for a generated data file (e.g. the bot-management feature file) before it ships:
// schema (zod), the consumer's hard limits (features, bytes), duplicate rows, and growth or
// shrinkage against the version currently shipped. A doubling is held (Cloudflare 2025: a
// query change returned every feature twice, the file passed the consumer's 200-feature limit
// and the proxies failed wherever it arrived). Pure.
import { z } from 'zod';
import type { Finding } from '../rules/model.js';

export const featureFileSchema = z.object({
  version: z.string().min(1),
  features: z.array(
    z.object({
      name: z.string().min(1),
      weight: z.number().finite(),
      type: z.string().min(1).optional(),
    }),
  ),
});
export type FeatureFile = z.infer<typeof featureFileSchema>;

export interface DataFileLimits {
  /** The consumer's hard limit on features (rows); it fails above it. */
  readonly maxFeatures: number;
  /** The consumer's hard limit on the file size, bytes. */
  readonly maxBytes: number;
  /** Largest allowed growth over the shipped version, features or bytes (e.g. 1.5: a doubling is held). */
  readonly maxGrowthRatio: number;
  /** A file that lost more than this share of its features is suspicious (warning; default 0.5). */
  readonly maxShrinkShare?: number;
}

export const DEFAULT_DATA_FILE_LIMITS: DataFileLimits = { maxFeatures: 200, maxBytes: 1_000_000, maxGrowthRatio: 1.5, maxShrinkShare: 0.5 };

export type ParsedDataFile = { readonly ok: true; readonly file: FeatureFile; readonly bytes: number } | { readonly ok: false; readonly findings: Finding[] };

/** Parse and schema-check a feature file; problems come back as findings, never thrown. */
export function parseDataFile(content: string): ParsedDataFile {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (e) {
    return { ok: false, findings: [{ code: 'data_file_schema', severity: 'error', message: `expected a JSON feature file, found text that does not parse: ${(e as Error).message}` }] };
  }
  const r = featureFileSchema.safeParse(json);
  if (!r.success) {
    return {
      ok: false,
      findings: r.error.issues.map((i) => ({ code: 'data_file_schema', severity: 'error' as const, component: i.path.join('.'), message: `${i.path.join('.') || 'file'}: ${i.message}` })),
    };
  }
  return { ok: true, file: r.data, bytes: Buffer.byteLength(content, 'utf8') };
}

export function checkDataFile(current: string, previous: string | undefined, limits: DataFileLimits = DEFAULT_DATA_FILE_LIMITS): Finding[] {
  const parsed = parseDataFile(current);
  if (!parsed.ok) return parsed.findings;
  const findings: Finding[] = [];
  const { file, bytes } = parsed;
  const n = file.features.length;
  if (n > limits.maxFeatures) {
    findings.push({ code: 'data_file_feature_limit', severity: 'error', component: 'features', message: `${n} features; the consumer fails above ${limits.maxFeatures}`, expected: limits.maxFeatures, actual: n });
  }
  if (bytes > limits.maxBytes) findings.push({ code: 'data_file_size_limit', severity: 'error', message: `${bytes} bytes; the consumer's limit is ${limits.maxBytes}`, expected: limits.maxBytes, actual: bytes });
  const counts = new Map<string, number>();
  for (const f of file.features) counts.set(f.name, (counts.get(f.name) ?? 0) + 1);
  const dups = [...counts].filter(([, c]) => c > 1);
  if (dups.length > 0) {
    findings.push({
      code: 'data_file_duplicate_feature',
      severity: 'error',
      component: 'features',
      message: `${dups.length} feature name(s) appear more than once (${dups.slice(0, 5).map(([name, c]) => `"${name}" ×${c}`).join(', ')}${dups.length > 5 ? ', …' : ''}): the generating query returned duplicate rows`,
      expected: 1,
      actual: Math.max(...dups.map(([, c]) => c)),
    });
  }
  if (previous === undefined) return findings;
  const prev = parseDataFile(previous);
  if (!prev.ok) {
    findings.push({ code: 'data_file_previous_unreadable', severity: 'warning', message: 'the shipped version does not parse, so growth cannot be measured against it' });
    return findings;
  }
  const prevN = prev.file.features.length;
  const featureRatio = prevN === 0 ? (n === 0 ? 1 : Number.POSITIVE_INFINITY) : n / prevN;
  const byteRatio = prev.bytes === 0 ? Number.POSITIVE_INFINITY : bytes / prev.bytes;
  const ratio = Math.max(featureRatio, byteRatio);
  if (ratio > limits.maxGrowthRatio) {
    findings.push({
      code: 'data_file_growth',
      severity: 'error',
      message: `grew ${ratio.toFixed(2)}x over version ${prev.file.version} (${prevN} -> ${n} features, ${prev.bytes} -> ${bytes} bytes); more than ${limits.maxGrowthRatio}x is held for review`,
      expected: limits.maxGrowthRatio,
      actual: Number(ratio.toFixed(3)),
    });
  }
  const maxShrink = limits.maxShrinkShare ?? 0.5;
  if (prevN > 0 && (prevN - n) / prevN > maxShrink) {
    findings.push({
      code: 'data_file_shrink',
      severity: 'warning',
      message: `lost ${prevN - n} of ${prevN} features since version ${prev.file.version} (more than ${(maxShrink * 100).toFixed(0)}%); an empty or truncated input would look like this`,
      expected: Math.ceil(prevN * (1 - maxShrink)),
      actual: n,
    });
  }
  return findings;
}
