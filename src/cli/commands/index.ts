import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** Every command registers itself here; one file per command group under src/cli/commands/. */
export function registerCommands(program: Command, ctx: CliContext): void {
  void program;
  void ctx;
}
