import type { Command } from 'commander';
import { JUDGE_PROMPT_VERSION, loadJudgePrompts } from '../../core/judge/judge-prompts.js';
import { JUDGE_ANSWER_RETRIES } from '../../core/judge/judge-run.js';
import type { CliContext } from '../context.js';
import { formatTable } from '../format.js';
import { failedRunsError } from '../each-run.js';
import { judgeResults } from '../judge-setup.js';
import { modelCommandSettings, type ModelCommandFlags } from '../model-command-flags.js';

interface JudgeFlags extends ModelCommandFlags {
  promptVersion: string;
}

const HELP_AFTER = `
For each run's best node, a judge model compares the node's diff (against node 0, record i) with the true change
(record i → i+1; on nanogpt records 1–20 also upstream's level-0 diff, synced by \`speedrun records sync\`) and
answers with a reproducibility score in [0, 1]: the share of the record's change reproduced, each of its ideas
faithful, partial or missing, plus what else the node changed (docs/judge.md has the rubric). A node whose script is
record i's own scores 0 without a call.

Each run folder gets judge.json (the verdict, model, prompt version and sha256, the diffs' sha256, tokens and cost)
and judge-calls.jsonl (every call, appended). Judging again with the same diffs, model and prompt reuses judge.json
without a call ("cached"); --force asks again. --replay rebuilds judge.json from judge-calls.jsonl with no endpoint.
An answer that is not the JSON asked for (or a score outside [0, 1]) goes back to the model with the reason, at most
--answer-retries times; then that run fails and the others go on. The command exits non-zero when any run failed.

Examples:
  speedrun judge results/bench-1 --model o3-mini
  speedrun judge results/bench-1 --model o3-mini --json --force
  speedrun judge results/bench-1 --replay`;

/** `speedrun judge RESULTS...`: did the best nodes reproduce the record's change, or reach its speed another way? */
export function registerJudgeCommand(program: Command, ctx: CliContext): void {
  program
    .command('judge')
    .description("score how faithfully each run's best node reproduced the next record's change, with a judge model: judge.json per run")
    .argument('<results...>', 'run folders or folders of runs (a bench)')
    .option(
      '--model <name>',
      'the judge model: a profile in speedrun.config.yaml, or the model id the endpoint serves (with --replay: whose judging to replay)',
    )
    .option('--config <file>', 'config file with model profiles (default: $SPEEDRUN_CONFIG or ./speedrun.config.yaml)')
    .option('--base-url <url>', "the endpoint, overriding the profile's base_url")
    .option('--force', 'judge again even when judge.json holds this verdict')
    .option('--replay', 'rebuild judge.json from the recorded calls (judge-calls.jsonl), without any endpoint')
    .option('--answer-retries <n>', 'times an unusable verdict goes back to the model with the reason', String(JUDGE_ANSWER_RETRIES))
    .option('--prompt-version <v>', 'the judge prompt set (prompts/judge/<v>)', JUDGE_PROMPT_VERSION)
    .option('--json', 'print one JSON object: {"runs": [...], "failed": [...]}')
    .addHelpText('after', HELP_AFTER)
    .action(async (results: string[], flags: JudgeFlags) => {
      const { judged, failed } = await judgeResults(ctx, results, {
        prompts: await loadJudgePrompts(flags.promptVersion),
        ...modelCommandSettings(ctx, flags, 'judge'),
      });
      if (flags.json) ctx.json({ runs: judged, failed });
      else {
        ctx.out(
          formatTable(
            ['run', 'node', 'score', 'model', 'status'],
            [
              ...judged.map((j) => [j.run_id, String(j.node), j.score.toFixed(2), j.model, j.status]),
              ...failed.map((f) => [f.run_id ?? f.dir, '–', '–', flags.model ?? '–', 'failed']),
            ],
          ),
        );
      }
      if (failed.length > 0) throw failedRunsError(failed, judged.length, { system: 'LLM judge', verb: 'judged' });
    });
}
