// Builds the commander program; main.ts runs it and maps errors to exit codes.
import { Command, CommanderError } from 'commander';
import { commandRegistrations } from './commands.js';
import { EXIT, RejectedError, UsageError } from './exit-codes.js';

export function buildProgram(): Command {
  const program = new Command('failsmall')
    .description('DDoS mitigation control plane that fails small: validate, scope, canary and roll back Flowspec rules')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const register of commandRegistrations) register(program);
  return program;
}

/** Run the CLI with argv (without node and script); returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`failsmall: ${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof RejectedError) {
      if (e.message) process.stderr.write(`failsmall: ${e.message}\n`);
      return EXIT.rejected;
    }
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'ENOENT' || err?.code === 'EACCES' || err?.code === 'EISDIR') {
      process.stderr.write(`failsmall: ${err.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}
