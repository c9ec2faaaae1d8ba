/** --executor slurm submits jobs with the Slurm client commands, which must be here and reach the controller. */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fail, ok, skip } from './check.js';
import type { DoctorCheck, DoctorContext } from './context.js';

export const SLURM_COMMANDS = ['sinfo', 'sbatch', 'squeue', 'scancel'] as const;
const SLURM_ONLY = (ctx: DoctorContext) => (ctx.config.executor === 'slurm' ? null : 'only for --executor slurm');

export const slurmCommandsCheck: DoctorCheck = {
  id: 'slurm-commands',
  title: 'Slurm commands',
  irrelevant: SLURM_ONLY,
  run: async ({ deps }) => {
    const found = await Promise.all(SLURM_COMMANDS.map(async (name) => [name, await findOnPath(name, deps.env.PATH)] as const));
    const missing = found.filter(([, path]) => path === null).map(([name]) => name);
    if (missing.length > 0) {
      return fail(
        `${missing.join(', ')} not found on PATH`,
        'install the Slurm client commands (Debian/Ubuntu: apt-get install slurm-client) configured for your cluster, or run speedrun on a login node that has them',
      );
    }
    return ok(found.map(([, path]) => path).join(', '));
  },
};

export const slurmControllerCheck: DoctorCheck = {
  id: 'slurm-controller',
  title: 'Slurm controller',
  irrelevant: SLURM_ONLY,
  run: async ({ deps }) => {
    const sinfo = await findOnPath('sinfo', deps.env.PATH);
    if (sinfo === null) return skip('sinfo is missing (see the slurm-commands check)');
    const result = await deps.run(sinfo, ['-h'], { timeoutMs: 20_000 });
    if (result.exitCode === 0) {
      const partitions = new Set(
        result.stdout
          .split('\n')
          .map((line) => line.trim().split(/\s+/)[0]?.replace(/\*$/, ''))
          .filter((name) => name),
      );
      return ok(`sinfo answered: ${partitions.size} partition${partitions.size === 1 ? '' : 's'} (${[...partitions].join(', ') || 'none listed'})`);
    }
    const why = result.timedOut ? 'did not answer within 20 s' : `failed (exit ${result.exitCode ?? 'by signal'})`;
    const output = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ');
    return fail(
      `sinfo -h ${why}${output ? `: ${output}` : ''}`,
      "check that slurmctld is up (scontrol ping) and that this machine's slurm.conf (or $SLURM_CONF) names it",
    );
  },
};

/** The executable `name` resolves to on `pathVar`, or null. */
export async function findOnPath(name: string, pathVar: string | undefined): Promise<string | null> {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
