import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadTrack, listTasks } from '../../core/catalog/catalog.js';
import type { RunSummary } from '../../core/store/schema.js';
import type { CliContext } from '../context.js';
import { interruptSignal, parsePositiveInt } from '../options.js';
import { ensureTorch } from '../ensure-torch.js';
import { startPlannedRun } from '../run-setup.js';
import { prepareExecution } from '../executor-setup.js';
import { singleRunCell } from '../../core/plan/plan-runs.js';
import { formatTable } from '../format.js';
import { formatTime } from '../../core/format-time.js';
import { logProgress } from '../progress.js';
import { formatFsr } from '../../core/score/fsr.js';

interface DemoFlags {
  record?: string;
  hint: string;
  python?: string;
  install: boolean;
  out: string;
  json?: boolean;
}

export function registerDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'the whole loop on the tiny track: install torch if needed, make data, run the reference and null agents (each scored against records timed in its own run), print their FSRs',
    )
    .option('--record <n>', 'the tiny task to run (default: the last, fastest one)')
    .option('--hint <spec>', 'hint given to the agents', 'L1')
    .option('--python <path>', 'Python interpreter with torch')
    .option('--no-install', "never apt-get install Debian's python3-torch when torch is missing")
    .option('--out <dir>', 'results folder', 'results')
    .option('--json', 'print one JSON object with both runs')
    .action(async (flags: DemoFlags) => {
      const signal = interruptSignal(ctx);
      const python = await ensureTorch(ctx, flags.python ?? ctx.env.SPEEDRUN_PYTHON, flags.install);
      ctx.log(`python: ${python.python} (torch ${python.torchVersion})`);
      const manifest = await loadTrack('tiny');
      const tasks = listTasks(manifest);
      const record = flags.record ? parsePositiveInt(flags.record, '--record') : tasks.at(-1)!.record;

      // No calibration needed: the tiny track re-times by default (README "Timing and scoring"), so the reference
      // agent's score compares records and node trained in the same minutes, and the null agent's node is record i.
      const runs: RunSummary[] = [];
      const shared = { python, execution: await prepareExecution(ctx, { executor: 'local' }), nodes: 1, signal, emit: logProgress(ctx) };
      for (const agent of ['reference', 'null']) {
        ctx.log(`\n== agent ${agent} on tiny record ${record} (hint ${flags.hint})`);
        const cell = await singleRunCell({ track: 'tiny', record, hint: flags.hint, agent: { name: agent }, scaffold: 'flat', seed: 1 }, ctx.cache());
        runs.push(await startPlannedRun(ctx, shared, cell, resolve(flags.out, cell.run_id)));
      }
      if (flags.json) {
        ctx.json({ record, runs });
        return;
      }
      ctx.out(
        `\ntiny record ${record} → ${record + 1}, hint ${flags.hint}, times from ${runs[0]!.times_from}${runs[0]!.scoring?.repeats ? ` (medians of ${runs[0]!.scoring.repeats} interleaved repeats)` : ''}: t_i ${formatTime(runs[0]!.baseline_ms)}, t_i+1 ${formatTime(runs[0]!.target_ms)}`,
      );
      ctx.out(
        formatTable(
          ['agent', 'status', 'best time', 'FSR'],
          runs.map((run) => [run.agent, run.status, formatTime(run.best?.train_time_ms), formatFsr(run.fsr)]),
        ),
      );
      ctx.out(`results in ${resolve(flags.out)}`);
    });
}
