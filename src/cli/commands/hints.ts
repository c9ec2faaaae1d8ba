import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { getRecord, loadTrack, parseTrackName } from '../../core/catalog/catalog.js';
import { composeHint, formatHintSpec, parseHintSpec } from '../../core/catalog/hints.js';
import { loadOfferedHints } from '../../core/catalog/offered-hints.js';
import { TrackName } from '../../core/catalog/schema.js';
import { UserError } from '../../core/errors.js';
import { HINT_ANSWER_RETRIES } from '../../core/hintgen/hint-generate.js';
import { HINT_PROMPT_VERSION, loadHintPrompts } from '../../core/hintgen/hint-prompts.js';
import type { CliContext } from '../context.js';
import { formatTable } from '../format.js';
import { listHintRows } from '../hint-list.js';
import { failedLevelsError, generateHints, parseGeneratedLevels, reviewHints } from '../hints-setup.js';
import { interruptSignal, parsePositiveInt, parseWholeNumber } from '../options.js';

const TRACK_HELP = `track (${TrackName.options.join(', ')})`;

export function registerHintsCommands(program: Command, ctx: CliContext): void {
  const hints = program
    .command('hints')
    .description(
      'hints given to agents (levels L1 pseudocode, L2 description, L3 mini-paper, L9 extra documents where upstream ships them), and model-written ones after review',
    );
  registerShow(hints, ctx);
  registerList(hints, ctx);
  registerGenerate(hints, ctx);
  registerReview(hints, ctx);
}

function registerShow(hints: Command, ctx: CliContext): void {
  hints
    .command('show')
    .description('print the hint for a task exactly as an agent receives it')
    .requiredOption('--track <track>', TRACK_HELP)
    .requiredOption('--record <n>', 'the task: record n, aiming for record n+1')
    .requiredOption('--level <spec>', "none, L1, L2, L3, L9 (where upstream ships it), L1+L2, L1+L2+L3, L1+L9, ... (`records show N` lists a record's levels)")
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { track: string; record: string; level: string; json?: boolean }) => {
      const track = parseTrackName(opts.track);
      const record = parsePositiveInt(opts.record, '--record');
      const levels = parseHintSpec(opts.level);
      const manifest = await loadTrack(track);
      const entry = getRecord(manifest, record); // an unknown record fails listing the valid ones
      if (entry.task_excluded) ctx.log(`note: record ${record} starts no benchmark task (${entry.task_excluded})`);
      const offered = await loadOfferedHints(track, ctx.cache());
      const text = await composeHint({ track, record, levels, cache: ctx.cache(), hints: offered });
      // Where each level came from: the track's own files, or a model's text a person accepted.
      const sources = offered.hints
        .filter((h) => h.record === record && levels.includes(h.level))
        .map((h) => ({
          level: h.level,
          source: h.generated ? 'generated' : offered.source.kind,
          ...(h.generated && {
            model: h.generated.meta.model,
            prompt_version: h.generated.meta.prompt_version,
            accepted_at: h.generated.meta.review?.at ?? null,
          }),
        }));
      if (opts.json) return ctx.json({ track, record, spec: formatHintSpec(levels), levels, sources, text });
      if (levels.length === 0) return ctx.log('hint level none: the agent gets no hint');
      for (const s of sources.filter((x) => x.source === 'generated')) {
        ctx.log(`note: L${s.level} was written by model ${s.model} (prompts hints/${s.prompt_version}) and accepted ${s.accepted_at}`);
      }
      ctx.out(text);
    });
}

function registerList(hints: Command, ctx: CliContext): void {
  hints
    .command('list')
    .description("a track's hints: its own, and the generated ones with their model, prompt version and review status")
    .requiredOption('--track <track>', TRACK_HELP)
    .option('--record <n>', 'only this task')
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { track: string; record?: string; json?: boolean }) => {
      const track = parseTrackName(opts.track);
      const record = opts.record === undefined ? null : parsePositiveInt(opts.record, '--record');
      const rows = await listHintRows(ctx.cache(), track, record);
      if (opts.json) return ctx.json({ track, hints: rows });
      ctx.out(
        formatTable(
          ['record', 'level', 'source', 'status', 'model', 'prompts', 'file'],
          rows.map((r) => [String(r.record), `L${r.level}`, r.source, r.status, r.model ?? '–', r.prompt_version ? `hints/${r.prompt_version}` : '–', r.path]),
        ),
      );
      if (rows.some((r) => r.status === 'shadowed')) ctx.log("shadowed: accepted, but the track's own hint of that level is what agents get");
    });
}

const GENERATE_HELP = `
A model writes each level from the true change of the task (the diff of record N's script against record N+1's and
N+1's description), with the prompts of prompts/hints/<version>/. Drafts go to the cache, <cache>/hints/<track>/rNN/,
with a sidecar (model, prompt version and sha256, diff sha256, tokens and cost); every call is appended to calls.jsonl
there. Nothing is offered to an agent until \`speedrun hints review\` accepts it. An answer with no usable hint goes
back to the model with the reason, at most --answer-retries times; then that level fails (no file), the others go
on, and the command exits 3.

Examples:
  speedrun hints generate --track tiny --record 1 --levels L1,L2,L3 --model gpt-4o
  speedrun hints generate --track nanogpt --record 30 --levels L2 --model o3 --force`;

function registerGenerate(hints: Command, ctx: CliContext): void {
  hints
    .command('generate')
    .description('draft hints for task N → N+1 with a model, from the true diff and the record description (review them before use)')
    .requiredOption('--track <track>', TRACK_HELP)
    .requiredOption('--record <n>', 'the task: record n, aiming for record n+1')
    .option('--levels <list>', 'levels to draft: L1 (pseudocode), L2 (description), L3 (mini-paper), comma-separated', 'L1,L2,L3')
    .option('--model <name>', 'a profile in speedrun.config.yaml, or the model id the endpoint serves')
    .option('--config <file>', 'config file with model profiles (default: $SPEEDRUN_CONFIG or ./speedrun.config.yaml)')
    .option('--base-url <url>', "the endpoint, overriding the profile's base_url")
    .option('--force', 'draft again over a draft awaiting review or an accepted hint')
    .option('--answer-retries <n>', 'times an unusable hint goes back to the model with the reason', String(HINT_ANSWER_RETRIES))
    .option('--prompt-version <v>', 'the hint prompt set (prompts/hints/<v>)', HINT_PROMPT_VERSION)
    .option('--json', 'print one JSON object: {"drafts": [...], "failed": [...]}')
    .addHelpText('after', GENERATE_HELP)
    .action(
      async (flags: {
        track: string;
        record: string;
        levels: string;
        model?: string;
        config?: string;
        baseUrl?: string;
        force?: boolean;
        answerRetries: string;
        promptVersion: string;
        json?: boolean;
      }) => {
        const track = parseTrackName(flags.track);
        const record = parsePositiveInt(flags.record, '--record');
        const levels = parseGeneratedLevels(flags.levels);
        const { drafts, failed } = await generateHints(ctx, {
          track,
          record,
          levels,
          prompts: await loadHintPrompts(flags.promptVersion),
          model: flags.model,
          config: flags.config,
          baseUrl: flags.baseUrl,
          force: flags.force ?? false,
          answerRetries: parseWholeNumber(flags.answerRetries, '--answer-retries', 0),
          signal: interruptSignal(ctx),
        });
        if (flags.json) ctx.json({ track, record, drafts, failed });
        else {
          ctx.out(
            formatTable(
              ['level', 'status', 'calls', 'cost', 'file'],
              [
                ...drafts.map((d) => [`L${d.level}`, 'draft', String(d.calls), d.cost_usd === null ? '–' : `$${d.cost_usd.toFixed(4)}`, d.path]),
                ...failed.map((f) => [`L${f.level}`, 'failed', '–', '–', '–']),
              ],
            ),
          );
          if (drafts.length) ctx.log(`review them: speedrun hints review --track ${track} --record ${record}`);
        }
        if (failed.length) throw failedLevelsError(failed, drafts.length);
      },
    );
}

function registerReview(hints: Command, ctx: CliContext): void {
  hints
    .command('review')
    .description('show a draft hint beside the true diff, and accept it (offered to agents from then on) or reject it (kept, with the reason)')
    .requiredOption('--track <track>', TRACK_HELP)
    .requiredOption('--record <n>', 'the task: record n, aiming for record n+1')
    .option('--level <L>', 'the draft to review (L1, L2 or L3); default every draft of the record')
    .option('--accept', 'accept the draft without asking')
    .option('--reject', 'reject the draft without asking (needs --reason)')
    .option('--reason <text>', 'why it was rejected (or accepted), kept in its sidecar')
    .option('--json', 'print one JSON object: {"reviewed": [...]}')
    .action(async (flags: { track: string; record: string; level?: string; accept?: boolean; reject?: boolean; reason?: string; json?: boolean }) => {
      if (flags.accept && flags.reject) throw new UserError('--accept and --reject exclude each other', 'pass one of them');
      const levels = flags.level === undefined ? null : parseGeneratedLevels(flags.level);
      if (levels && levels.length !== 1) throw new UserError(`--level takes one level, got ${JSON.stringify(flags.level)}`, 'e.g. --level L2');
      const decided = flags.accept ? 'accepted' : flags.reject ? 'rejected' : null;
      // Asked on a terminal only; scripts, pipes and --json decide with the flags or just look.
      const interactive = decided === null && !flags.json && process.stdin.isTTY === true && process.stdout.isTTY === true;
      const rl = interactive ? createInterface({ input: process.stdin, output: process.stdout }) : null;
      try {
        const reviewed = await reviewHints(flags.json ? { ...ctx, out: () => {} } : ctx, {
          track: parseTrackName(flags.track),
          record: parsePositiveInt(flags.record, '--record'),
          level: levels?.[0] ?? null,
          decision: decided,
          reason: flags.reason ?? null,
          columns: process.stdout.isTTY ? process.stdout.columns : null,
          ask: rl ? (question) => rl.question(question) : null,
        });
        if (flags.json) ctx.json({ reviewed });
      } finally {
        rl?.close();
      }
    });
}
