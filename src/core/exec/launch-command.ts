import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import type { ExecSpec } from './types.js';

/**
 * The Python launcher that ties a training process's life to its parent's (see the file's docstring).
 * It ships as a plain .py file at the package root, so the same path works from src/ (tests) and dist/.
 */
export const PARENT_DEATH_LAUNCHER = join(packageRoot, 'python', 'launch_with_parent_death.py');

/** The environment variable that tells the launcher which parent it must not outlive. */
export const PARENT_PID_VAR = 'SPEEDRUN_PARENT_PID';

/**
 * The command line that runs a node's script. On Linux it goes through the launcher, which sets a
 * parent-death signal and then execs exactly the command that would have run without it; for torchrun
 * each worker goes through the launcher as well, because torch's elastic agent sets no such signal on its
 * workers (and from torch 2.x starts each in a session of its own, out of reach of a process-group kill).
 */
export function launchCommand(spec: ExecSpec, platform: NodeJS.Platform = process.platform): [string, string[]] {
  const launcher = platform === 'linux' ? [PARENT_DEATH_LAUNCHER] : [];
  if (spec.runner === 'torchrun') {
    const torchrun = ['-m', 'torch.distributed.run', '--standalone', `--nproc_per_node=${spec.nproc}`];
    return [spec.python, [...launcher, ...torchrun, ...launcher, spec.scriptPath]];
  }
  return [spec.python, [...launcher, spec.scriptPath]];
}
