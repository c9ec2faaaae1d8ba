import type { Command } from 'commander';
import type { SetupChoices } from '../../ui/controller.js';
import type { CliContext } from '../context.js';
import { parsePositiveInt, parseRetime } from '../options.js';
import { makeTuiController } from '../tui-controller.js';

interface TuiFlags {
  track?: string;
  record?: string;
  hint?: string;
  agent?: string;
  model?: string;
  agentCmd?: string;
  scaffold?: string;
  nodes?: string;
  executor?: string;
  python?: string;
  config?: string;
  out: string;
  start?: boolean;
  retime?: string;
  retimeRepeats?: string;
  revealTargetTime?: boolean;
}

/** `speedrun tui [flags]`, and bare `speedrun` on a terminal: the interactive UI (ink, imported only here). */
export function registerTuiCommand(program: Command, ctx: CliContext): void {
  program
    .command('tui')
    .description('the interactive terminal UI: set up a task, watch the search, step in (also: bare `speedrun` on a terminal)')
    .option('--track <track>', 'pre-fill the track')
    .option('--record <n>', 'pre-fill the task record')
    .option('--hint <spec>', 'pre-fill the hint spec (none, L1, L2, L3, L9 where upstream ships it, L1+L2, ...)')
    .option('--agent <name>', 'pre-fill the agent')
    .option('--model <name>', 'pre-fill the model (llm, exec and the coding CLIs)')
    .option('--agent-cmd <cmd>', "pre-fill the exec agent's command")
    .option('--scaffold <name>', 'pre-fill the scaffold')
    .option('--nodes <n>', 'pre-fill the node cap')
    .option('--executor <name>', 'pre-fill the executor')
    .option('--reveal-target-time', "pre-fill: tell the llm agent the next record's time (hidden by default)")
    .option('--python <path>', 'Python interpreter with torch')
    .option('--config <file>', 'model profiles and executor settings')
    .option('--out <dir>', 'results folder (each run goes into a bench folder of its own)', 'results')
    .option('--retime <mode>', "where the score's times come from: both | baseline | none (default: the track's)")
    .option('--retime-repeats <k>', "repeats of each script in the scoring round (default: the track's)")
    .option('--start', 'start at once with the pre-filled choices, skipping the setup screen')
    .action((flags: TuiFlags) => openTui(ctx, flags, program));
  program.action(() => openTui(ctx, { out: 'results' }, program));
}

async function openTui(ctx: CliContext, flags: TuiFlags, program: Command): Promise<void> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    // No terminal to draw on or read keys from (a pipe, a file, CI): say so and show the headless commands.
    ctx.log('speedrun: the interactive UI needs a terminal on stdin and stdout; use the commands below instead (e.g. `speedrun run --record 1`).');
    ctx.log(program.helpInformation());
    return;
  }
  const initial: Partial<SetupChoices> = {
    ...(flags.track && { track: flags.track }),
    ...(flags.record && { record: parsePositiveInt(flags.record, '--record') }),
    ...(flags.hint && { hint: flags.hint }),
    ...(flags.agent && { agent: flags.agent }),
    ...(flags.model && { model: flags.model }),
    ...(flags.agentCmd && { agentCmd: flags.agentCmd }),
    ...(flags.scaffold && { scaffold: flags.scaffold }),
    ...(flags.nodes && { nodes: parsePositiveInt(flags.nodes, '--nodes') }),
    ...(flags.executor && { executor: flags.executor }),
    ...(flags.revealTargetTime && { revealTargetTime: true }),
  };
  // ink and React load only here, so every other command starts without them.
  const { runTui } = await import('../../ui/main.js');
  const retime = {
    ...(flags.retime && { retime: parseRetime(flags.retime) }),
    ...(flags.retimeRepeats && { retimeRepeats: parsePositiveInt(flags.retimeRepeats, '--retime-repeats') }),
  };
  await runTui(makeTuiController(ctx, { out: flags.out, python: flags.python, config: flags.config, ...retime }), initial, { autoStart: flags.start === true });
}
