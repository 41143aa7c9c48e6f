// A throwaway PostgreSQL cluster for tests: initdb into a temp dir as the postgres user,
// listening on 127.0.0.1 and a unix socket in that dir only; stopped and removed afterwards.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function findBin(name: string): string | undefined {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    for (const v of readdirSync(base).sort().reverse()) {
      const p = join(base, v, 'bin', name);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface TempPostgres {
  readonly url: string;
  stop(): void;
}

/** Starts a cluster, or returns the reason it cannot (no binaries, not root). */
export async function startTempPostgres(): Promise<TempPostgres | { skip: string }> {
  const initdb = findBin('initdb');
  const pgCtl = findBin('pg_ctl');
  if (!initdb || !pgCtl) return { skip: 'PostgreSQL server binaries not installed (Debian package postgresql)' };
  if (process.getuid?.() !== 0) return { skip: 'needs root to run the cluster as the postgres user' };
  const dir = mkdtempSync(join(tmpdir(), 'failsmall-pg-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const asPg = (cmd: string, args: string[]): void => {
    execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe', timeout: 60_000 });
  };
  asPg(initdb, ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  asPg(pgCtl, ['-D', join(dir, 'data'), '-w', '-t', '30', '-l', join(dir, 'log'), '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`, 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        asPg(pgCtl, ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
