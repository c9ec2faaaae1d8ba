import { Command, CommanderError } from 'commander';
import { SpeedrunError } from '../core/errors.js';
import { addCacheFlagToCommands, makeContext } from './context.js';
import { registerCommands } from './commands/index.js';

const program = new Command('speedrun').description('Benchmark AI research agents on reproducing NanoGPT speedrun records').showHelpAfterError().exitOverride();

registerCommands(program, makeContext(program, process.env));
addCacheFlagToCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version exit 0; usage mistakes are bad input.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof SpeedrunError) {
    process.stderr.write(`error: ${error.message}\n`);
    if (error.fix) process.stderr.write(`fix: ${error.fix}\n`);
    return error.exitCode;
  }
  process.stderr.write(`internal error (a bug in speedrun; please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
