// Options shared by serve and demo: database, network and device models.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { ControlPlane } from '../control-plane/control-plane.js';
import { type NetworkDescription, type RouterMixEntry, generateNetwork } from '../fleet/index.js';
import { loadModels, loadNetwork } from './inputs.js';
import { UsageError } from './exit-codes.js';

export const DEFAULT_NETWORK = new URL('../../tests/fixtures/network/example.yaml', import.meta.url).pathname;

export function addControlPlaneOptions(cmd: Command, defaultDb: string): Command {
  return cmd
    .option('--db <path|url>', 'SQLite database file, or postgres://... for a multi-node deployment', defaultDb)
    .option('--network <file>', 'network description YAML', DEFAULT_NETWORK)
    .option('--pops <n>', 'instead of --network, generate a network of N PoPs (2 routers each, the example\'s router mix)', (v) => Number(v))
    .option('--device-models <dir>', 'device model profiles (default: shipped data/device-models)')
    .option('--seed <n>', 'simulation seed', (v) => Number.parseInt(v, 10), 1)
    .option('--host <host>', 'listen address (loopback by default)', '127.0.0.1')
    .option('--port <port>', 'listen port (0 = any free port)', (v) => Number.parseInt(v, 10), 8080);
}

export interface ControlPlaneCliOptions {
  db: string;
  network: string;
  pops?: number;
  deviceModels?: string;
  seed: number;
  host: string;
  port: number;
}

export async function openControlPlane(o: ControlPlaneCliOptions, fresh = false): Promise<ControlPlane> {
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new UsageError(`--port must be 0-65535, got ${o.port}`);
  const isFile = o.db !== ':memory:' && !/^postgres(ql)?:\/\//.test(o.db);
  if (isFile) mkdirSync(dirname(o.db), { recursive: true });
  if (fresh && isFile) {
    const { rmSync } = await import('node:fs');
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${o.db}${suffix}`, { force: true });
  }
  return ControlPlane.open({ dbPath: o.db, network: chooseNetwork(o), deviceModels: loadModels(o.deviceModels), seed: o.seed, startMs: Date.now() });
}

/** Router mix of tests/fixtures/network/example.yaml, legacy Junos included (the 2013 advisory applies to it). */
const EXAMPLE_MIX: readonly RouterMixEntry[] = [
  ['juniper', 'MX960', '21.4R3', 4],
  ['juniper', 'MX480', '11.4R7', 1],
  ['cisco', 'ASR9000', '7.3.2', 3],
  ['arista', '7280R3', '4.28.3M', 2],
];

function chooseNetwork(o: ControlPlaneCliOptions): NetworkDescription {
  if (o.pops === undefined) return loadNetwork(o.network);
  if (!Number.isInteger(o.pops) || o.pops < 2 || o.pops > 5000) throw new UsageError(`--pops must be an integer from 2 to 5000, got ${o.pops}`);
  return generateNetwork({ seed: o.seed, pops: o.pops, routersPerPop: 2, mix: EXAMPLE_MIX });
}
