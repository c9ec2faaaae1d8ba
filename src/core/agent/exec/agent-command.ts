import { createWriteStream } from 'node:fs';
import { execa } from 'execa';
import { closeStream, pipeLines } from '../../exec/line-splitter.js';
import { killProcessGroup } from '../../exec/process-group.js';

const STDERR_TAIL_LINES = 30;

export interface AgentCommandSpec {
  /** A shell command line, run with `sh -c` in `cwd`. */
  command: string;
  cwd: string;
  /** The whole environment the command gets: nothing of the harness's own is inherited. */
  env: Record<string, string>;
  timeoutMs: number;
  stdoutPath: string;
  stderrPath: string;
  signal?: AbortSignal;
}

export interface AgentCommandResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  stderrTail: string;
}

/**
 * Runs an agent's command for one node. Like a training, it runs in its own process group, so a timeout or an
 * abort stops what it started too (a coding CLI's tools, a language server), not only the shell.
 */
export async function runAgentCommand(spec: AgentCommandSpec): Promise<AgentCommandResult> {
  const child = execa('sh', ['-c', spec.command], {
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: false,
    detached: true,
    reject: false,
    buffer: false,
    stdin: 'ignore',
  });
  const stdoutFile = createWriteStream(spec.stdoutPath);
  const stderrFile = createWriteStream(spec.stderrPath);
  const stderrTail: string[] = [];
  pipeLines(child.stdout, stdoutFile, () => undefined);
  pipeLines(child.stderr, stderrFile, (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
  });

  let timedOut = false;
  let aborted = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killProcessGroup(child.pid);
  }, spec.timeoutMs);
  const onAbort = () => {
    aborted = true;
    killProcessGroup(child.pid);
  };
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  if (spec.signal?.aborted) onAbort();

  const result = await child;
  clearTimeout(timer);
  spec.signal?.removeEventListener('abort', onAbort);
  // What the command left running in the background goes with it.
  killProcessGroup(child.pid, 'SIGKILL');
  await Promise.all([closeStream(stdoutFile), closeStream(stderrFile)]);
  return { exitCode: result.exitCode ?? null, signal: result.signal ?? null, timedOut, aborted, stderrTail: stderrTail.join('\n') };
}
