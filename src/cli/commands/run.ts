import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parseBenchSpec } from '../../core/bench/bench-file.js';
import { planDryRun, messageOf } from '../../core/plan/dry-run.js';
import { planRuns, singleCellSpec, stampedRun } from '../../core/plan/plan-runs.js';
import { executionRequestOf, runSettingsOf, specLimits } from '../../core/plan/run-settings.js';
import type { CliContext } from '../context.js';
import { addAgentOptions, agentOfFlags, type AgentFlags } from '../agent-flags.js';
import { findPython, interruptSignal, parsePositiveInt } from '../options.js';
import { formatRunSummary } from '../format.js';
import { logProgress } from '../progress.js';
import { prepareCellAgent, planEnv, startPlannedRun } from '../run-setup.js';
import { prepareExecution } from '../executor-setup.js';
import { formatDryRun } from '../format-dry-run.js';
import { addSharedRunOptions, sharedSpecFields, type SharedRunFlags } from '../run-flags.js';

interface RunFlags extends SharedRunFlags, AgentFlags {
  track: string;
  record: string;
  hint: string;
  scaffold: string;
  nodes: string;
  seed: string;
  out: string;
  json?: boolean;
  smoke?: string;
  dryRun?: boolean;
}

export function registerRunCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('run')
    .description('run one task: start from record N, let an agent search for a faster script, train, and score the best (FSR)')
    .option('--track <track>', 'tiny | nanogpt', 'tiny')
    .requiredOption('--record <n>', 'the task: start from this record, aim for the next one')
    .option('--hint <spec>', 'none | L1 | L2 | L3 | L9 (where upstream ships extra documents) | L1+L2 | L1+L2+L3 | ...', 'none');
  addAgentOptions(command)
    .option('--scaffold <name>', 'search policy: flat | tree | forest | aide | multi-aide | greedy | mcts | evolutionary', 'flat')
    .option('--nodes <n>', 'node cap: how many nodes the agent writes (the baseline not counted)', '1')
    .option('--seed <n>', "the scaffold's random seed", '1');
  addSharedRunOptions(command)
    .option('--out <dir>', 'results folder', 'results')
    .option('--smoke <steps>', "installation check: train every node's script rewritten to this many steps (shown as a diff); never scored")
    .option('--dry-run', 'prepare node 1 and print what would run (script diff, command, environment, folders); train nothing')
    .option('--json', 'print one JSON object with the result on stdout')
    .action(async (flags: RunFlags) => {
      const signal = interruptSignal(ctx);
      // A bench of one: the cell from the task flags, how it runs from the flags `bench` shares.
      const spec = parseBenchSpec(
        {
          ...singleCellSpec({
            track: flags.track,
            record: parsePositiveInt(flags.record, '--record'),
            hint: flags.hint,
            agent: agentOfFlags(flags),
            scaffold: flags.scaffold,
            seed: parsePositiveInt(flags.seed, '--seed'),
          }),
          nodes: parsePositiveInt(flags.nodes, '--nodes'),
          ...sharedSpecFields(flags),
        },
        'the command line',
      );
      const [planned] = await planRuns(spec, ctx.cache());
      const cell = stampedRun(planned!, new Date());
      const runDir = resolve(flags.out, cell.run_id);
      const smoke = flags.smoke === undefined ? undefined : parsePositiveInt(flags.smoke, '--smoke');
      const execution = () => prepareExecution(ctx, { ...executionRequestOf(spec), config: flags.config });
      if (flags.dryRun) {
        // The interpreter a real run would use; without one the plan is still shown, with what is missing.
        const notes: string[] = [];
        const python = await findPython(ctx, flags.python, spec.executor).then(
          (found) => found.python,
          (error: unknown) => {
            notes.push(`python: ${messageOf(error)}`);
            return 'python3';
          },
        );
        const dry = await planDryRun(planEnv(ctx), { ...specLimits(spec), execution: await execution(), smoke, python }, cell, runDir, notes);
        if (flags.json) ctx.json(dry);
        else ctx.out(formatDryRun(dry));
        return;
      }
      // The agent first: a missing key or an unreachable endpoint fails before any data or training.
      const agent = await prepareCellAgent(ctx, { budget: spec.budget, config: flags.config, signal, executor: spec.executor }, cell);
      const python = await findPython(ctx, flags.python, spec.executor);
      ctx.log(`python: ${python.python} (torch ${python.torchVersion})`);
      const settings = runSettingsOf(spec, { python, execution: await execution(), config: flags.config, smoke, signal, emit: logProgress(ctx) });
      const summary = await startPlannedRun(ctx, settings, cell, runDir, agent);
      if (flags.json) ctx.json(summary);
      else ctx.out(formatRunSummary(summary));
      if (summary.status !== 'finished' && summary.status !== 'budget-exhausted') process.exitCode = 1;
    });
}
