// Builds the dashboard (web/ -> web/dist) when it is missing or older than its sources.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function ensureDashboardBuilt(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const r = spawnSync('bash', ['scripts/build-web.sh'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) process.stderr.write('failsmall: the dashboard could not be built; the API still works\n');
}
