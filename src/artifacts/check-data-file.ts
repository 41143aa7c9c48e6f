// Checks for a generated data file (e.g. bot-management features) before it ships: schema,
// the consumer's hard limits (feature count, bytes) and growth against the last version.
import { z } from 'zod';
import type { Finding } from '../rules/model.js';

export const featureFileSchema = z.object({
  version: z.string().min(1),
  features: z.array(z.object({ name: z.string().min(1), weight: z.number().finite() })),
});
export type FeatureFile = z.infer<typeof featureFileSchema>;

export interface DataFileLimits {
  readonly maxFeatures: number;
  readonly maxBytes: number;
  /** Largest allowed size/feature ratio over the last version (e.g. 1.5; a doubling is held). */
  readonly maxGrowthRatio: number;
}

export const DEFAULT_DATA_FILE_LIMITS: DataFileLimits = { maxFeatures: 200, maxBytes: 1_000_000, maxGrowthRatio: 1.5 };

export function checkDataFile(current: string, previous: string | undefined, limits: DataFileLimits = DEFAULT_DATA_FILE_LIMITS): Finding[] {
  const findings: Finding[] = [];
  let parsed: FeatureFile;
  try {
    const r = featureFileSchema.safeParse(JSON.parse(current));
    if (!r.success) {
      return r.error.issues.map((i) => ({ code: 'data_file_schema', severity: 'error' as const, component: i.path.join('.'), message: `${i.path.join('.') || 'file'}: ${i.message}` }));
    }
    parsed = r.data;
  } catch (e) {
    return [{ code: 'data_file_schema', severity: 'error', message: `not JSON: ${(e as Error).message}` }];
  }
  const bytes = Buffer.byteLength(current, 'utf8');
  const n = parsed.features.length;
  if (n > limits.maxFeatures) {
    findings.push({ code: 'data_file_feature_limit', severity: 'error', component: 'features', message: `${n} features; the consumer crashes above ${limits.maxFeatures}`, expected: limits.maxFeatures, actual: n });
  }
  if (bytes > limits.maxBytes) findings.push({ code: 'data_file_size_limit', severity: 'error', message: `${bytes} bytes; the consumer's limit is ${limits.maxBytes}`, expected: limits.maxBytes, actual: bytes });
  const seen = new Set<string>();
  for (const f of parsed.features) {
    if (seen.has(f.name)) findings.push({ code: 'data_file_duplicate_feature', severity: 'error', component: 'features', message: `feature "${f.name}" appears more than once` });
    seen.add(f.name);
  }
  if (previous !== undefined) {
    try {
      const prev = featureFileSchema.parse(JSON.parse(previous));
      const prevBytes = Buffer.byteLength(previous, 'utf8');
      const featureRatio = prev.features.length === 0 ? Number.POSITIVE_INFINITY : n / prev.features.length;
      const byteRatio = prevBytes === 0 ? Number.POSITIVE_INFINITY : bytes / prevBytes;
      const ratio = Math.max(featureRatio, byteRatio);
      if (ratio > limits.maxGrowthRatio) {
        findings.push({
          code: 'data_file_growth',
          severity: 'error',
          message: `grew ${ratio.toFixed(2)}x over version ${prev.version} (${prev.features.length} -> ${n} features, ${prevBytes} -> ${bytes} bytes); more than ${limits.maxGrowthRatio}x is held for review`,
          expected: limits.maxGrowthRatio,
          actual: ratio,
        });
      }
    } catch {
      // an unreadable previous version cannot be compared; the current file's own checks stand
    }
  }
  return findings;
}
