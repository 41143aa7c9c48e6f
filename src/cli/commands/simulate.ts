// `failsmall simulate INCIDENT`: replay an incident on the simulated network twice, as it
// happened and with failsmall, and report blast radius and timings.
import type { Command } from 'commander';
import { INCIDENT_NAMES, type IncidentName, type IncidentRun, runIncident } from '../../scenarios/index.js';
import { UsageError } from '../exit-codes.js';
import { loadModels } from '../inputs.js';
import { printJson, printLines } from '../output.js';

const dur = (ms?: number): string => (ms === undefined ? '-' : ms < 60_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 60_000).toFixed(1)} min`);

function describeRun(r: IncidentRun): string[] {
  return [
    `  ${r.mode}:`,
    `    PoPs impacted        ${r.popsImpacted.length}/${r.popsTotal}${r.popsImpacted.length > 0 && r.popsImpacted.length <= 6 ? ` (${r.popsImpacted.join(', ')})` : ''}`,
    ...(r.popsCollapsed.length > 0 ? [`    PoPs collapsed       ${r.popsCollapsed.length} (fell over under traffic shifted from failed PoPs)`] : []),
    `    peak traffic failing ${(r.peakFailingShare * 100).toFixed(1)}%`,
    `    time to detection    ${dur(r.timeToDetectionMs)}`,
    `    time to rollback     ${r.heldAt === 'validation' ? 'not needed (never shipped)' : dur(r.timeToRollbackMs)}`,
    `    routers crashed      ${r.routersCrashed}${r.routersDead > 0 ? ` (${r.routersDead} never rebooted)` : ''}`,
    ...(r.heldAt ? [`    held at              ${r.heldAt}`] : []),
    ...r.timeline.slice(0, 12).map((e) => `    +${dur(e.atMs).padEnd(8)} ${e.what}`),
  ];
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description(`replay an incident on the simulated network, as it happened and with failsmall: ${INCIDENT_NAMES.join(', ')}, or all`)
    .argument('<incident>', `${INCIDENT_NAMES.join(' | ')} | all`)
    .option('--seed <n>', 'simulation seed', (v) => Number.parseInt(v, 10), 1)
    .option('--device-models <dir>', 'device model profiles directory (default: shipped data/device-models)')
    .option('--skip-checks', 'ship the change through the staged rollout even if the checks reject it (shows the canary and gates alone)')
    .option('--json', 'machine-readable output')
    .action((incident: string, opts: { seed: number; deviceModels?: string; json?: boolean; skipChecks?: boolean }) => {
      const names: IncidentName[] = incident === 'all' ? [...INCIDENT_NAMES] : (INCIDENT_NAMES as readonly string[]).includes(incident) ? [incident as IncidentName] : [];
      if (names.length === 0) throw new UsageError(`unknown incident "${incident}"; expected one of: ${INCIDENT_NAMES.join(', ')}, all`);
      if (!Number.isInteger(opts.seed)) throw new UsageError('--seed must be an integer');
      const deviceModels = loadModels(opts.deviceModels);
      const reports = names.map((n) => runIncident(n, { seed: opts.seed, deviceModels, skipChecks: opts.skipChecks === true }));
      if (opts.json) {
        printJson(reports);
        return;
      }
      printLines(reports.flatMap((r) => [`${r.name}: ${r.title}`, `  ${r.story}`, ...describeRun(r.runs[0]), ...describeRun(r.runs[1]), '']));
    });
}
