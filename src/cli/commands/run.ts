import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { findPython, interruptSignal, parsePositiveInt } from '../options.js';
import { runOne } from '../run-setup.js';
import { formatRunSummary } from '../format.js';
import { logProgress } from '../progress.js';
import { prepareAgent, type AgentFlags } from '../agent-setup.js';

interface RunFlags extends AgentFlags {
  track: string;
  record: string;
  hint: string;
  nodes: string;
  executor: string;
  python?: string;
  out: string;
  timeout?: string;
  json?: boolean;
}

export function registerRunCommand(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('run one task: start from record N, let an agent edit it, train, and score the result (FSR)')
    .option('--track <track>', 'tiny | nanogpt', 'tiny')
    .requiredOption('--record <n>', 'the task: start from this record, aim for the next one')
    .option('--hint <spec>', 'none | L1 | L2 | L3 | L1+L2 | L1+L2+L3', 'none')
    .option('--agent <name>', 'reference (applies record N+1) | null (changes nothing) | llm (an OpenAI-compatible model) | replay (a recorded llm run)', 'reference')
    .option('--model <name>', 'llm: a model profile in speedrun.config.yaml, or the model id the endpoint serves')
    .option('--base-url <url>', "llm: the OpenAI-compatible endpoint (overrides the profile's base_url)")
    .option('--edit-format <format>', "llm: search-replace | udiff | whole (overrides the profile's)")
    .option('--config <file>', 'model profiles and budget (default: $SPEEDRUN_CONFIG, else ./speedrun.config.yaml if present)')
    .option('--replay <run-dir>', 'replay: the run folder whose recorded LLM answers to re-issue')
    .option('--nodes <n>', 'how many nodes the agent writes (draft, then improve the best or debug a failure)', '1')
    .option('--max-llm-calls <n>', 'budget: end the run cleanly after this many LLM calls')
    .option('--max-tokens <n>', 'budget: ... after this many prompt + completion tokens')
    .option('--max-dollars <x>', "budget: ... after this many dollars (needs prices in the model's profile)")
    .option('--executor <name>', 'local', 'local')
    .option('--python <path>', 'Python interpreter with torch (default: $SPEEDRUN_PYTHON, else the first of python3, /usr/bin/python3, python that has torch)')
    .option('--out <dir>', 'results folder', 'results')
    .option('--timeout <seconds>', "kill a node's training after this long (default: the track's)")
    .option('--json', 'print one JSON object with the result on stdout')
    .action(async (flags: RunFlags) => {
      const signal = interruptSignal(ctx);
      const record = parsePositiveInt(flags.record, '--record');
      const maxNodes = parsePositiveInt(flags.nodes, '--nodes');
      const timeoutMs = flags.timeout ? parsePositiveInt(flags.timeout, '--timeout') * 1000 : undefined;
      // The agent first: a missing key or an unreachable endpoint fails before any data or training.
      const agent = await prepareAgent(ctx, flags, signal);
      const python = await findPython(ctx, flags.python);
      ctx.log(`python: ${python.python} (torch ${python.torchVersion})`);
      const summary = await runOne(
        ctx,
        { track: flags.track, record, hint: flags.hint, agent, maxNodes, executor: flags.executor, out: resolve(flags.out), timeoutMs },
        python,
        signal,
        logProgress(ctx),
      );
      if (flags.json) ctx.json(summary);
      else ctx.out(formatRunSummary(summary));
      if (summary.status !== 'finished' && summary.status !== 'budget-exhausted') process.exitCode = 1;
    });
}
