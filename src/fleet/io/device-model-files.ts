// Loads the device-model profiles shipped in data/device-models/*.yaml (or another folder).
// Files are read in name order and their profiles concatenated in that order (the order
// findDeviceModel uses). Bad data is an operational failure: DeviceModelLoadError carries the
// findings (with file and line) for the edge to print.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceModel } from '../device-model.js';
import type { Finding } from '../../rules/model.js';
import { findDuplicateIds, parseDeviceModels } from '../device-models/index.js';

export class DeviceModelLoadError extends Error {
  override name = 'DeviceModelLoadError';
  constructor(
    message: string,
    readonly findings: readonly Finding[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** data/device-models of the checkout or package this module runs from (src/ or dist/). */
export function findShippedDeviceModelDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'data', 'device-models');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new DeviceModelLoadError('cannot find data/device-models above ' + dirname(fileURLToPath(import.meta.url)), []);
}

function combine(files: ReadonlyArray<{ name: string; text: string }>, dir: string): DeviceModel[] {
  const models: DeviceModel[] = [];
  const findings: Finding[] = [];
  for (const f of files) {
    const r = parseDeviceModels(f.text, f.name);
    if (r.ok) models.push(...r.value);
    else findings.push(...r.error);
  }
  for (const id of findDuplicateIds(models)) {
    findings.push({ code: 'device_model_duplicate_id', severity: 'error', component: 'id', message: `${dir}: profile id "${id}" is defined in more than one file` });
  }
  if (findings.length > 0) {
    throw new DeviceModelLoadError(`${findings.length} problem(s) in device models under ${dir}: ${findings[0]!.message}`, findings);
  }
  return models;
}

function yamlNames(names: readonly string[]): string[] {
  return names.filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
}

/** Read every *.yaml profile under `dir` (default: the shipped data/device-models). */
export async function loadDeviceModels(dir: string = findShippedDeviceModelDir()): Promise<DeviceModel[]> {
  let names: string[];
  try {
    names = yamlNames(await readdir(dir));
  } catch (cause) {
    throw new DeviceModelLoadError(`cannot read device-model folder ${dir}`, [], { cause });
  }
  const files = await Promise.all(names.map(async (name) => ({ name, text: await readFile(join(dir, name), 'utf8') })));
  return combine(files, dir);
}

/** Synchronous variant for CLI start-up paths. */
export function loadDeviceModelsSync(dir: string = findShippedDeviceModelDir()): DeviceModel[] {
  let names: string[];
  try {
    names = yamlNames(readdirSync(dir));
  } catch (cause) {
    throw new DeviceModelLoadError(`cannot read device-model folder ${dir}`, [], { cause });
  }
  return combine(
    names.map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') })),
    dir,
  );
}
