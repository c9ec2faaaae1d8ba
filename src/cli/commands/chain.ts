import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parseBenchSpec } from '../../core/bench/bench-file.js';
import { readBenchManifest } from '../../core/bench/bench-manifest.js';
import type { BenchSpec } from '../../core/bench/bench-spec.js';
import { UserError } from '../../core/errors.js';
import { singleCellSpec } from '../../core/plan/plan-runs.js';
import { addAgentOptions, agentOfFlags, type AgentFlags } from '../agent-flags.js';
import type { CliContext } from '../context.js';
import { parsePositiveInt } from '../options.js';
import { addSharedRunOptions, sharedSpecFields, type SharedRunFlags } from '../run-flags.js';
import { runBenchFolder } from './bench.js';

interface ChainFlags extends SharedRunFlags, AgentFlags {
  track: string;
  from?: string;
  to?: string;
  hint: string;
  scaffold: string;
  nodes: string;
  seed: string;
  out?: string;
  resume?: string;
  json?: boolean;
}

const HELP_AFTER = `
A chain runs the tasks from record I to record J one after another: step 0 starts from record I's script, step k from
the best script of step k−1 (with task I+k's hint), so improvements compound. Each step is scored like any run of its
task: FSR = (t_i − t*) / (t_i − t_i+1) with t_i and t_i+1 the true records' times (the record table, calibration, or
the records re-timed in the step's scoring round), never the start script's; the start script's own measured time is
shown beside it. A step that finishes with no valid node passes its own start on; a step that did not finish stops
the chain until it is resumed. The folder is a bench (bench.json): \`chain --resume DIR\` or \`bench --resume DIR\`.

Examples:
  speedrun chain --track tiny --from 1 --to 4 --agent reference --out results/chain-1
  speedrun chain --track nanogpt --from 3 --to 6 --agent llm --model o3-mini --hint L1 --out results/chain-2
  speedrun chain --resume results/chain-1`;

/** `speedrun chain`: chained records (README "Chains"), a bench of one configuration whose steps hand scripts on. */
export function registerChainCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('chain')
    .description("run tasks I → J in a chain: each step starts from the previous step's best script; FSR per step against the true records")
    .option('--track <track>', 'tiny | nanogpt', 'tiny')
    .option('--from <i>', 'the first record: step 0 starts from its script')
    .option('--to <j>', 'the last record: the final step aims for it (J − I steps)')
    .option('--hint <spec>', "hint spec for every step (each step gets its own task's hint): none | L1 | L2 | L3 | L1+L2 | ...", 'none');
  addAgentOptions(command)
    .option('--scaffold <name>', 'search policy of every step: flat | tree | forest | aide | multi-aide | greedy | mcts | evolutionary', 'flat')
    .option('--nodes <n>', 'node cap of every step (the start script not counted)', '1')
    .option('--seed <n>', "the scaffold's random seed", '1');
  addSharedRunOptions(command)
    .option('--out <dir>', 'the chain folder (re-running the same chain on it resumes)')
    .option('--resume <dir>', 'continue the chain in this folder, with the settings it was started with')
    .option('--json', 'stream NDJSON events on stdout, then {"type":"bench-finished",...} and {"type":"chain-finished","steps":[...]}')
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: ChainFlags) => {
      const { dir, spec } = await chainFolderAndSpec(flags);
      await runBenchFolder(ctx, dir, spec, flags);
    });
}

async function chainFolderAndSpec(flags: ChainFlags): Promise<{ dir: string; spec: BenchSpec }> {
  if (flags.resume) {
    const dir = resolve(flags.resume);
    const manifest = await readBenchManifest(dir);
    if (!manifest?.spec.chain) throw new UserError(`${dir} holds no chain (no bench.json of a chain)`, 'pass the --out folder of an earlier `speedrun chain`');
    return { dir, spec: manifest.spec };
  }
  if (!flags.out) throw new UserError('speedrun chain needs --out DIR (or --resume DIR)', 'e.g. --out results/chain-1');
  if (flags.from === undefined || flags.to === undefined) throw new UserError('speedrun chain needs --from and --to', 'e.g. --from 1 --to 4');
  const from = parsePositiveInt(flags.from, '--from');
  const to = parsePositiveInt(flags.to, '--to');
  if (to <= from) throw new UserError(`--to ${to} must be above --from ${from}`, 'a chain aims for later records, e.g. --from 1 --to 4');
  const cell = singleCellSpec({
    track: flags.track,
    record: from,
    hint: flags.hint,
    agent: agentOfFlags(flags),
    scaffold: flags.scaffold,
    seed: parsePositiveInt(flags.seed, '--seed'),
  });
  const spec = parseBenchSpec(
    { ...cell, records: `${from}-${to - 1}`, nodes: parsePositiveInt(flags.nodes, '--nodes'), ...sharedSpecFields(flags), chain: true },
    'the command line',
  );
  return { dir: resolve(flags.out), spec };
}
