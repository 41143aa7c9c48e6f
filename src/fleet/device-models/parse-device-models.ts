// Device-model files (data/device-models/*.yaml) -> DeviceModel[]. Pure: text in, Result out,
// every problem reported as a Finding with its line. A file holds one profile (a mapping) or
// several (a sequence of mappings). Keys are the DeviceModel field names.
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { DeviceModel } from '../device-model.js';
import type { Finding, RuleMatch } from '../../rules/model.js';
import { type Result, err, ok } from '../../lib/result.js';

const MATCH_COMPONENTS = [
  'destination',
  'destinationOffset',
  'source',
  'sourceOffset',
  'protocols',
  'ports',
  'destinationPorts',
  'sourcePorts',
  'icmpTypes',
  'icmpCodes',
  'tcpFlags',
  'packetLengths',
  'dscp',
  'fragment',
  'flowLabel',
] as const satisfies ReadonlyArray<keyof RuleMatch>;
// Compile-time check that the list names every RuleMatch key.
type MissingComponent = Exclude<keyof RuleMatch, (typeof MATCH_COMPONENTS)[number]>;
const everyComponentListed: MissingComponent extends never ? true : false = true;
void everyComponentListed;

const ACTIONS = ['accept', 'discard', 'rate-limit-bytes', 'rate-limit-packets', 'redirect', 'mark-dscp'] as const;
const VENDORS = ['juniper', 'cisco', 'arista', 'nokia', 'linux'] as const;
const EFFECTS = ['memory-exhaustion', 'crash-reboot', 'crash-no-reboot', 'rule-ignored', 'misprogrammed'] as const;

const version = z.string({ error: 'OS versions must be quoted strings, e.g. "12.3R2"' }).min(1);
const versionRange = z.strictObject({ min: version.optional(), max: version.optional() });
const component = z.enum(MATCH_COMPONENTS);
const count = z.number().int().nonnegative();

const trigger = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('component-value-above'), component, max: count }),
  z.strictObject({ kind: z.literal('component-present'), component }),
  z.strictObject({ kind: z.literal('range-count-above'), component, count }),
  z.strictObject({ kind: z.literal('action'), action: z.enum(ACTIONS) }),
]);

const advisory = z.strictObject({
  id: z.string().min(1),
  title: z.string().min(1),
  osVersions: versionRange,
  trigger,
  effect: z.enum(EFFECTS),
  reference: z.string().optional(),
});

const fraction = z.number().min(0).max(1);

const deviceModel = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'profile ids are kebab-case, e.g. "juniper-mx-junos-legacy"'),
  vendor: z.enum(VENDORS),
  models: z.array(z.string().min(1)).min(1),
  osVersions: versionRange,
  capabilities: z.strictObject({
    families: z.array(z.enum(['ipv4', 'ipv6'])),
    components: z.array(component),
    actions: z.array(z.enum(ACTIONS)),
  }),
  limits: z.strictObject({
    maxRules: count,
    maxRangesPerRule: count.optional(),
    tcamEntries: count,
    memoryMiB: z.number().positive(),
    memoryPerRuleKiB: z.number().positive(),
    baselineCpu: fraction.optional(),
    baselineMemory: fraction.optional(),
  }),
  advisories: z.array(advisory).default([]),
  hiddenAdvisories: z.array(advisory).optional(),
});

const file = z.union([deviceModel, z.array(deviceModel)]);

function finding(code: string, message: string, path: string, line?: number, column?: number): Finding {
  return {
    code,
    severity: 'error',
    component: path,
    message,
    ...(line !== undefined ? { line } : {}),
    ...(column !== undefined ? { column } : {}),
  };
}

/** Parse one device-model file. `source` (a file name) prefixes messages. */
export function parseDeviceModels(yamlText: string, source = 'device-models'): Result<DeviceModel[], Finding[]> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    return err(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return finding('device_model_file_syntax', `${source}:${pos.line}: ${e.message.split('\n')[0]}`, '', pos.line, pos.col);
      }),
    );
  }
  const parsed = file.safeParse(doc.toJS());
  if (!parsed.success) {
    // A union error hides the useful one: re-parse against the shape the file chose.
    const data: unknown = doc.toJS();
    const detail = Array.isArray(data) ? z.array(deviceModel).safeParse(data) : deviceModel.safeParse(data);
    const issues = detail.success ? parsed.error.issues : detail.error.issues;
    return err(
      issues.map((issue) => {
        const path = issue.path.map(String);
        const node = doc.getIn(issue.path as unknown[], true) as { range?: [number, number, number] } | undefined;
        const pos = node?.range ? lineCounter.linePos(node.range[0]) : undefined;
        const where = pos ? `${source}:${pos.line}` : source;
        return finding('device_model_invalid', `${where}: ${path.join('.') || '(top)'}: ${issue.message}`, path.join('.'), pos?.line, pos?.col);
      }),
    );
  }
  const models = (Array.isArray(parsed.data) ? parsed.data : [parsed.data]) as DeviceModel[];
  const dup = findDuplicateIds(models);
  if (dup.length > 0) return err(dup.map((id) => finding('device_model_duplicate_id', `${source}: profile id "${id}" is defined more than once`, 'id')));
  return ok(models);
}

/** Profile ids that occur more than once. */
export function findDuplicateIds(models: readonly DeviceModel[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const m of models) {
    if (seen.has(m.id)) dup.add(m.id);
    seen.add(m.id);
  }
  return [...dup];
}
