import type { Command } from 'commander';
import type { BenchSpecInput } from '../core/bench/bench-spec.js';
import { budgetFromFlags } from './agent-setup.js';
import { parseExecutorName } from './executor-setup.js';
import { parsePositiveInt, parseRetime } from './options.js';

/**
 * The flags `run` and `bench` share: how nodes train and are limited, scored and audited. Declared once here and
 * turned into bench spec fields once, so the two commands cannot drift apart (`run` is a bench of one).
 */
export interface SharedRunFlags {
  executor: string;
  gpus?: string;
  gpusPerRun?: string;
  python?: string;
  config?: string;
  timeout?: string;
  timeBudget?: string;
  maxLlmCalls?: string;
  maxTokens?: string;
  maxDollars?: string;
  integrityCheck: boolean;
  retime?: string;
  retimeRepeats?: string;
  revealTargetTime?: boolean;
}

export function addSharedRunOptions(command: Command): Command {
  return command
    .option(
      '--executor <name>',
      'local | docker (sandboxed container) | slurm (sbatch on this cluster) | sim (simulated trainings, for capacity planning and tests)',
      'local',
    )
    .option('--gpus <ids>', 'GPUs to train on, e.g. 0-7 (default: CPU)')
    .option('--gpus-per-run <n>', 'GPUs each node gets (default 1 when --gpus is given)')
    .option('--python <path>', 'Python interpreter with torch (default: $SPEEDRUN_PYTHON, else the first of python3, /usr/bin/python3, python that has torch)')
    .option('--config <file>', 'model profiles and budget (default: $SPEEDRUN_CONFIG, else ./speedrun.config.yaml if present)')
    .option('--timeout <seconds>', "kill a node's training after this long (default: the track's)")
    .option('--time-budget <seconds>', 'per run: stop creating nodes after this much wall time')
    .option('--max-llm-calls <n>', 'per run LLM budget: end the run cleanly after this many LLM calls')
    .option('--max-tokens <n>', 'per run LLM budget: ... after this many prompt + completion tokens')
    .option('--max-dollars <x>', "per run LLM budget: ... after this many dollars (needs prices in the model's profile)")
    .option('--reveal-target-time', "llm agents: tell them the next record's time (hidden by default, as in the paper); recorded in run.json")
    .option('--no-integrity-check', "don't audit node scripts for tampering (harness development only: every score is flagged)")
    .option(
      '--retime <mode>',
      "where the score's times come from: both (record i, i+1 and the best node trained again in the run, interleaved) | baseline (record i and the best node) | none (calibration or record table); default: the track's (tiny both, nanogpt none)",
    )
    .option('--retime-repeats <k>', "repeats of each script in a run's scoring round (default: the track's, 3)");
}

/** The shared flags as bench spec fields (only those given, so the spec's defaults apply to the rest). */
export function sharedSpecFields(flags: SharedRunFlags): Partial<BenchSpecInput> {
  const budget = budgetFromFlags(flags);
  return {
    executor: parseExecutorName(flags.executor),
    ...(flags.gpus && { gpus: flags.gpus }),
    ...(flags.gpusPerRun && { gpus_per_run: parsePositiveInt(flags.gpusPerRun, '--gpus-per-run') }),
    ...(flags.timeout && { timeout_s: parsePositiveInt(flags.timeout, '--timeout') }),
    ...(flags.timeBudget && { time_budget_s: parsePositiveInt(flags.timeBudget, '--time-budget') }),
    ...(Object.keys(budget).length && { budget }),
    ...(!flags.integrityCheck && { integrity_check: false }),
    ...(flags.retime && { retime: parseRetime(flags.retime) }),
    ...(flags.retimeRepeats && { retime_repeats: parsePositiveInt(flags.retimeRepeats, '--retime-repeats') }),
    ...(flags.revealTargetTime && { reveal_target_time: true }),
  };
}
