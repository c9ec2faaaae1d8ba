import { execa } from 'execa';

export interface CommandResult {
  /** null when the process did not exit normally (not found, killed, timed out). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The executable does not exist (ENOENT): a tool that is not installed, as opposed to one that fails. */
  notFound: boolean;
  timedOut: boolean;
}

/** Runs a command to completion without throwing; the one runner the doctor, GPU detection and the Slurm executor take, injected so tests can fake system tools. */
export type CommandRunner = (file: string, args: string[], opts?: { timeoutMs?: number }) => Promise<CommandResult>;

export const runCommand: CommandRunner = async (file, args, opts = {}) => {
  const result = await execa(file, args, { reject: false, stdin: 'ignore', timeout: opts.timeoutMs ?? 30_000 });
  return {
    exitCode: result.exitCode ?? null,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    notFound: result.code === 'ENOENT',
    timedOut: result.timedOut,
  };
};
