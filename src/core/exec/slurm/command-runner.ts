import { runCommand } from '../command-runner.js';
import { ExternalError } from '../../errors.js';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one Slurm client command (sbatch, squeue, scontrol, scancel, sacct) to completion. Injected into the
 * executor so its logic can be tested against a fake cluster. A non-zero exit is a result, not an error;
 * a command that is not installed throws CommandNotFoundError.
 */
export type CommandRunner = (command: string, args: string[]) => Promise<CommandResult>;

export class CommandNotFoundError extends Error {
  constructor(readonly command: string) {
    super(`${command} not found`);
    this.name = 'CommandNotFoundError';
  }
}

/** Bounds each client call: a hung controller must not hang the harness (Slurm's own MessageTimeout is 10 s). */
const COMMAND_TIMEOUT_MS = 60_000;

export const execaRunner: CommandRunner = async (command, args) => {
  const result = await runCommand(command, args, { timeoutMs: COMMAND_TIMEOUT_MS });
  if (result.notFound) throw new CommandNotFoundError(command);
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
};

/** What to tell a user whose machine has no Slurm client tools. */
export function slurmNotFound(command: string): ExternalError {
  return new ExternalError(
    'slurm',
    `${command} not found`,
    "run on a Slurm login node with the client tools on PATH (sbatch, squeue, scontrol, scancel), or choose another executor; for a local test cluster run scripts/ci/slurm-setup.sh",
  );
}
