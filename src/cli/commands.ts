// The command registry: one file per command group under ./commands/, each exporting
// `register(program)`. Add one import and one entry here per command file.
import type { Command } from 'commander';
import { register as registerRule } from './commands/rule.js';
import { register as registerBgp } from './commands/bgp.js';
import { register as registerDetect } from './commands/detect.js';
import { register as registerReplay } from './commands/replay.js';
import { register as registerSynth } from './commands/synth.js';
import { register as registerSimulate } from './commands/simulate.js';
import { register as registerDemo } from './commands/demo.js';
import { register as registerServe } from './commands/serve.js';
import { register as registerToken } from './commands/token.js';
import { register as registerRollout } from './commands/rollout.js';
import { register as registerKillswitch } from './commands/killswitch.js';
import { register as registerAgent } from './commands/agent.js';
import { register as registerCollect } from './commands/collect.js';

export type RegisterCommand = (program: Command) => void;

export const commandRegistrations: RegisterCommand[] = [
  registerRule,
  registerBgp,
  registerDetect,
  registerReplay,
  registerSynth,
  registerSimulate,
  registerDemo,
  registerServe,
  registerToken,
  registerRollout,
  registerKillswitch,
  registerAgent,
  registerCollect,
];
