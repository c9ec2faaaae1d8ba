import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { findPython, interruptSignal, parsePositiveInt, parseRetime } from '../options.js';
import { formatRunSummary } from '../format.js';
import { logProgress } from '../progress.js';
import { budgetFromFlags, type AgentFlags } from '../agent-setup.js';
import { singleRunCell } from '../bench-setup.js';
import { prepareCellAgent, runPlanned } from '../run-setup.js';
import { prepareExecution } from '../executor-setup.js';
import { formatDryRun, planDryRun } from '../dry-run.js';

interface RunFlags extends AgentFlags {
  track: string;
  record: string;
  hint: string;
  scaffold: string;
  nodes: string;
  seed: string;
  executor: string;
  gpus?: string;
  gpusPerRun?: string;
  python?: string;
  out: string;
  timeout?: string;
  timeBudget?: string;
  maxLlmCalls?: string;
  maxTokens?: string;
  maxDollars?: string;
  json?: boolean;
  smoke?: string;
  dryRun?: boolean;
  integrityCheck: boolean;
  retime?: string;
  retimeRepeats?: string;
  revealTargetTime?: boolean;
}

export function registerRunCommand(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('run one task: start from record N, let an agent search for a faster script, train, and score the best (FSR)')
    .option('--track <track>', 'tiny | nanogpt', 'tiny')
    .requiredOption('--record <n>', 'the task: start from this record, aim for the next one')
    .option('--hint <spec>', 'none | L1 | L2 | L3 | L9 (where upstream ships extra documents) | L1+L2 | L1+L2+L3 | ...', 'none')
    .option('--agent <name>', 'reference (applies record N+1) | null (changes nothing) | llm (an OpenAI-compatible model) | replay (a recorded llm run)', 'reference')
    .option('--model <name>', 'llm: a model profile in speedrun.config.yaml, or the model id the endpoint serves')
    .option('--base-url <url>', "llm: the OpenAI-compatible endpoint (overrides the profile's base_url)")
    .option('--edit-format <format>', "llm: search-replace | udiff | whole (overrides the profile's)")
    .option('--config <file>', 'model profiles and budget (default: $SPEEDRUN_CONFIG, else ./speedrun.config.yaml if present)')
    .option('--replay <run-dir>', 'replay: the run folder whose recorded LLM answers to re-issue')
    .option('--reveal-target-time', "llm: tell the agent the next record's time (hidden by default, as in the paper); recorded in run.json")
    .option('--scaffold <name>', 'search policy: flat | tree | forest | aide | multi-aide | greedy | mcts | evolutionary', 'flat')
    .option('--nodes <n>', 'node cap: how many nodes the agent writes (the baseline not counted)', '1')
    .option('--seed <n>', "the scaffold's random seed", '1')
    .option('--time-budget <seconds>', 'stop creating nodes after this much wall time')
    .option('--max-llm-calls <n>', 'budget: end the run cleanly after this many LLM calls')
    .option('--max-tokens <n>', 'budget: ... after this many prompt + completion tokens')
    .option('--max-dollars <x>', "budget: ... after this many dollars (needs prices in the model's profile)")
    .option('--executor <name>', 'local | docker (sandboxed container) | slurm (sbatch on this cluster) | sim (simulated trainings, for capacity planning and tests)', 'local')
    .option('--gpus <ids>', 'GPUs to train on, e.g. 0-7 (default: CPU)')
    .option('--gpus-per-run <n>', 'GPUs each node gets (default 1 when --gpus is given)')
    .option('--python <path>', 'Python interpreter with torch (default: $SPEEDRUN_PYTHON, else the first of python3, /usr/bin/python3, python that has torch)')
    .option('--out <dir>', 'results folder', 'results')
    .option('--timeout <seconds>', "kill a node's training after this long (default: the track's)")
    .option('--smoke <steps>', "installation check: train every node's script rewritten to this many steps (shown as a diff); never scored")
    .option('--no-integrity-check', "don't audit node scripts for tampering (harness development only: the score is flagged)")
    .option('--retime <mode>', "where the score's times come from: both (record i, i+1 and the best node trained again in this run, interleaved) | baseline (record i and the best node) | none (calibration or record table); default: the track's (tiny both, nanogpt none)")
    .option('--retime-repeats <k>', "repeats of each script in the scoring round (default: the track's, 3)")
    .option('--dry-run', 'prepare node 1 and print what would run (script diff, command, environment, folders); train nothing')
    .option('--json', 'print one JSON object with the result on stdout')
    .action(async (flags: RunFlags) => {
      const signal = interruptSignal(ctx);
      const budget = budgetFromFlags(flags);
      const cell = await singleRunCell({
        track: flags.track,
        record: parsePositiveInt(flags.record, '--record'),
        hint: flags.hint,
        agent: { name: flags.agent, model: flags.model, base_url: flags.baseUrl, edit_format: flags.editFormat, replay: flags.replay },
        scaffold: flags.scaffold,
        seed: parsePositiveInt(flags.seed, '--seed'),
      });
      const smoke = flags.smoke === undefined ? undefined : parsePositiveInt(flags.smoke, '--smoke');
      const timeoutMs = flags.timeout ? parsePositiveInt(flags.timeout, '--timeout') * 1000 : undefined;
      const executionFlags = {
        executor: flags.executor,
        gpus: flags.gpus,
        gpusPerRun: flags.gpusPerRun ? parsePositiveInt(flags.gpusPerRun, '--gpus-per-run') : undefined,
        config: flags.config,
      };
      const retime = {
        retime: flags.retime === undefined ? undefined : parseRetime(flags.retime),
        retimeRepeats: flags.retimeRepeats === undefined ? undefined : parsePositiveInt(flags.retimeRepeats, '--retime-repeats'),
      };
      if (flags.dryRun) {
        const dry = await planDryRun(ctx, { run: cell, runDir: resolve(flags.out, cell.run_id), execution: await prepareExecution(ctx, executionFlags), python: flags.python, smoke, timeoutMs, ...retime });
        if (flags.json) ctx.json(dry);
        else ctx.out(formatDryRun(dry));
        return;
      }
      // The agent first: a missing key or an unreachable endpoint fails before any data or training.
      const agent = await prepareCellAgent(ctx, { budget, config: flags.config, signal }, cell);
      const python = await findPython(ctx, flags.python);
      ctx.log(`python: ${python.python} (torch ${python.torchVersion})`);
      const out = resolve(flags.out);
      const summary = await runPlanned(
        ctx,
        {
          python,
          execution: await prepareExecution(ctx, executionFlags),
          timeoutMs,
          wallBudgetMs: flags.timeBudget ? parsePositiveInt(flags.timeBudget, '--time-budget') * 1000 : undefined,
          nodes: parsePositiveInt(flags.nodes, '--nodes'),
          smoke,
          integrityCheck: flags.integrityCheck,
          ...retime,
          revealTargetTime: flags.revealTargetTime === true,
          budget,
          config: flags.config,
          signal,
          emit: logProgress(ctx),
        },
        cell,
        resolve(out, cell.run_id),
        agent,
      );
      if (flags.json) ctx.json(summary);
      else ctx.out(formatRunSummary(summary));
      if (summary.status !== 'finished' && summary.status !== 'budget-exhausted') process.exitCode = 1;
    });
}
