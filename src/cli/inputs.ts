// File inputs shared by CLI commands: rule files, network descriptions and device models.
// Unreadable input is a UsageError (exit 2); findings print one per line.
import { readFileSync } from 'node:fs';
import type { DeviceModel } from '../fleet/device-model.js';
import { loadDeviceModelsSync } from '../fleet/io/device-model-files.js';
import type { NetworkDescription } from '../fleet/network.js';
import { parseNetworkFile } from '../fleet/network-file.js';
import type { Finding } from '../rules/index.js';
import { UsageError } from './exit-codes.js';

export function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`cannot read ${what} ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  }
}

/** One line per finding: `error code rule=ID component at FILE:L:C: message`. */
export function formatFinding(f: Finding, file?: string): string {
  const where = f.line !== undefined ? ` at ${file ?? ''}${file ? ':' : 'line '}${f.line}${f.column !== undefined ? `:${f.column}` : ''}` : '';
  const devices = f.devices && f.devices.length > 0 ? ` devices=${f.devices.join(',')}` : '';
  return `${f.severity} ${f.code}${f.rule !== undefined ? ` rule=${f.rule}` : ''}${f.component ? ` ${f.component}` : ''}${devices}${where}: ${f.message}`;
}

export function loadNetwork(file: string): NetworkDescription {
  const r = parseNetworkFile(readText(file, 'network description'));
  const errors = r.findings.filter((f) => f.severity === 'error');
  if (!r.network || errors.length > 0) {
    process.stderr.write(`${r.findings.map((f) => formatFinding(f, file)).join('\n')}\n`);
    throw new UsageError(`network description ${file} has ${errors.length} error(s)`);
  }
  for (const f of r.findings) process.stderr.write(`${formatFinding(f, file)}\n`);
  return r.network;
}

export function loadModels(dir: string | undefined): DeviceModel[] {
  try {
    return dir === undefined ? loadDeviceModelsSync() : loadDeviceModelsSync(dir);
  } catch (e) {
    throw new UsageError(`cannot load device models${dir ? ` from ${dir}` : ''}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
