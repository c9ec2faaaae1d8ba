import type { Command } from 'commander';
import { ExternalError, UserError } from '../../core/errors.js';
import { IDEAS_PROMPT_VERSION, loadIdeaPrompts } from '../../core/ideas/idea-prompts.js';
import { IDEAS_ANSWER_RETRIES, IDEAS_FIRST_K } from '../../core/ideas/ideas-run.js';
import { IDEA_TAXONOMY_VERSION } from '../../core/ideas/taxonomy.js';
import type { CliContext } from '../context.js';
import { formatTable } from '../format.js';
import { classifyResults, type IdeasFailure } from '../ideas-setup.js';
import { modelCommandSettings, type ModelCommandFlags } from '../model-command-flags.js';

interface IdeasFlags extends ModelCommandFlags {
  first: string;
  promptVersion: string;
}

const HELP_AFTER = `
For each run, a model classifies the idea behind every draft node (a fresh attempt from the run's starting script;
its edit.diff against its parent and the agent's note) into one primary class of a fixed taxonomy (${IDEA_TAXONOMY_VERSION}:
optimizer, architecture, attention, precision, schedule, data/batching, systems/kernels, other; docs/ideas.md), with
any secondary classes and a reason. The run's ideation diversity is the Shannon entropy (bits) of the primary classes
of its first K drafts that have a script: 0 when they are all one class, log2(K) when all differ. Drafts with no
script (edit-failed and the like) or no change are skipped and counted.

Each run folder gets ideas.json (classes, entropy, model, prompt and taxonomy versions and sha256, tokens and cost)
and ideas-calls.jsonl (every call, appended). Running again reuses the class of every draft whose diff, model and
prompts are unchanged ("cached"): only new drafts are asked about; --force asks again. --replay rebuilds ideas.json
from ideas-calls.jsonl with no endpoint. An answer that is not the JSON asked for, or names a class outside the
taxonomy, goes back to the model with the reason, at most --answer-retries times; then that draft fails, the others
go on, and the command exits non-zero naming every failed draft.

Examples:
  speedrun ideas results/bench-1 --model o3-mini
  speedrun ideas results/bench-1 --model o3-mini --first 10 --json
  speedrun ideas results/bench-1 --replay`;

/** `speedrun ideas RESULTS...`: how diverse were each run's first ideas? */
export function registerIdeasCommand(program: Command, ctx: CliContext): void {
  program
    .command('ideas')
    .description("classify each run's draft ideas into a fixed taxonomy with a model, and the entropy of its first drafts: ideas.json per run")
    .argument('<results...>', 'run folders or folders of runs (a bench)')
    .option(
      '--model <name>',
      'the classifying model: a profile in speedrun.config.yaml, or the model id the endpoint serves (with --replay: whose classifications to replay)',
    )
    .option('--config <file>', 'config file with model profiles (default: $SPEEDRUN_CONFIG or ./speedrun.config.yaml)')
    .option('--base-url <url>', "the endpoint, overriding the profile's base_url")
    .option('--first <k>', "the entropy's K: the first K drafts with a script, or 'all'", String(IDEAS_FIRST_K))
    .option('--force', 'classify every draft again even when ideas.json holds its class')
    .option('--replay', 'rebuild ideas.json from the recorded calls (ideas-calls.jsonl), without any endpoint')
    .option('--answer-retries <n>', 'times an unusable answer goes back to the model with the reason', String(IDEAS_ANSWER_RETRIES))
    .option('--prompt-version <v>', 'the prompt set (prompts/ideas/<v>)', IDEAS_PROMPT_VERSION)
    .option('--json', 'print one JSON object: {"runs": [...], "failed": [...]}')
    .addHelpText('after', HELP_AFTER)
    .action(async (results: string[], flags: IdeasFlags) => {
      const k = flags.first === 'all' ? null : Number(flags.first);
      if (k !== null && (!Number.isInteger(k) || k < 1)) {
        throw new UserError(`--first must be a whole number ≥ 1 or 'all', got ${JSON.stringify(flags.first)}`, `e.g. --first ${IDEAS_FIRST_K}`);
      }
      const { runs, failed } = await classifyResults(ctx, results, {
        prompts: await loadIdeaPrompts(flags.promptVersion),
        ...modelCommandSettings(ctx, flags, 'classify'),
        k,
      });
      if (flags.json) ctx.json({ runs, failed });
      else {
        ctx.out(
          formatTable(
            ['run', 'drafts', 'classified', 'skipped', 'failed', 'entropy (bits)', 'classes of the first drafts'],
            runs.map((r) => [
              r.run_id,
              String(r.drafts),
              `${r.classified}${r.cached ? ` (${r.cached} cached)` : ''}`,
              String(r.skipped),
              String(r.failed),
              r.entropy_bits === null ? '–' : `${r.entropy_bits.toFixed(2)} (K=${r.first_k})`,
              Object.entries(r.class_counts)
                .map(([c, n]) => `${c} ${n}`)
                .join(', ') || '–',
            ]),
          ),
        );
      }
      if (failed.length > 0) throw failure(failed, runs.length);
    });
}

/** One error naming every failed draft or run: exit 3 when the endpoint or the answers failed, 2 for bad input alone. */
function failure(failed: readonly IdeasFailure[], runs: number): Error {
  const lines = failed.map((f) => `  ${f.run_id ?? f.dir}${f.node === null ? '' : ` node ${f.node}`}: ${f.error}`).join('\n');
  const message = `${failed.length} classification${failed.length === 1 ? '' : 's'} failed (${runs} run${runs === 1 ? '' : 's'} written):\n${lines}`;
  const fixes = [...new Set(failed.map((f) => f.fix).filter((f): f is string => f !== null))].join('; ');
  return failed.some((f) => f.exit_code === 3) ? new ExternalError('LLM classifier', message, fixes || undefined) : new UserError(message, fixes || undefined);
}
