import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { findRunFolders } from '../../core/store/load-results.js';
import { TRAJECTORY_FILE } from '../../core/store/layout.js';
import { buildTrajectory, writeTrajectory } from '../../core/store/trajectory.js';
import type { CliContext } from '../context.js';

/**
 * `speedrun trajectory RESULTS`: a run's ATIF trajectory, printed, or written into run folders that have none (runs
 * made before runs wrote one) or whose copy is stale.
 */
export function registerTrajectoryCommand(program: Command, ctx: CliContext): void {
  program
    .command('trajectory')
    .description(`print a run's ATIF trajectory (Harbor's agent trajectory format), or write ${TRAJECTORY_FILE} into run folders`)
    .argument('<results>', 'a run folder (or, with --write, a folder of runs such as a bench)')
    .option('--write', `write ${TRAJECTORY_FILE} into each run folder instead of printing`)
    .action(async (results: string, flags: { write?: boolean }) => {
      const runs = await findRunFolders(resolve(results));
      if (runs.length === 0) throw new UserError(`no run folder under ${results}`, 'give a run folder (one with run.json) or a folder of runs');
      if (!flags.write) {
        if (runs.length > 1) throw new UserError(`${results} holds ${runs.length} runs`, 'give one run folder, or add --write to write each run its own file');
        ctx.json(await buildTrajectory(runs[0]!));
        return;
      }
      for (const run of runs) ctx.out(await writeTrajectory(run));
    });
}
