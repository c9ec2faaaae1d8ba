import { ExternalError } from '../../errors.js';
import type { CommandRunner } from '../command-runner.js';

/** What a Slurm client command answered; a non-zero exit is a result, not an error. */
export interface SlurmReply {
  /** -1 when the command did not exit normally (killed, timed out). */
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Bounds each client call: a hung controller must not hang the harness (Slurm's own MessageTimeout is 10 s). */
const COMMAND_TIMEOUT_MS = 60_000;

/**
 * Runs one Slurm client command (sbatch, squeue, scontrol, scancel, sacct) to completion through the shared command
 * runner, which the executor takes as an option so its logic can be tested against a fake cluster. A command that
 * is not installed throws the error that says how to get one.
 */
export async function slurmCommand(run: CommandRunner, command: string, args: string[]): Promise<SlurmReply> {
  const result = await run(command, args, { timeoutMs: COMMAND_TIMEOUT_MS });
  if (result.notFound) throw slurmNotFound(command);
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** What to tell a user whose machine has no Slurm client tools. */
function slurmNotFound(command: string): ExternalError {
  return new ExternalError(
    'slurm',
    `${command} not found`,
    'run on a Slurm login node with the client tools on PATH (sbatch, squeue, scontrol, scancel), or choose another executor; for a local test cluster run scripts/ci/slurm-setup.sh',
  );
}
