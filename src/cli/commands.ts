// The command registry: one file per command group under ./commands/, each exporting
// `register(program)`. Add one import and one entry here per command file.
import type { Command } from 'commander';
import { register as registerRule } from './commands/rule.js';
import { register as registerBgp } from './commands/bgp.js';

export type RegisterCommand = (program: Command) => void;

export const commandRegistrations: RegisterCommand[] = [
  registerRule,
  registerBgp,
];
