import type { Command } from 'commander';
import { DEFAULT_CHUNK_CHARS } from '../../core/distance/chunking.js';
import { EMBED_ANSWER_RETRIES } from '../../core/distance/distance-run.js';
import type { CliContext } from '../context.js';
import { distanceResults } from '../distance-setup.js';
import { failedRunsError } from '../each-run.js';
import { formatTable } from '../format.js';
import { modelCommandSettings, type ModelCommandFlags } from '../model-command-flags.js';
import { parseWholeNumber } from '../options.js';

interface DistanceFlags extends ModelCommandFlags {
  chunkChars?: string;
}

const HELP_AFTER = `
For each run's best node, an embedding model (an OpenAI-compatible POST /embeddings, a model profile) embeds the
node's train_gpt.py, record i's and record i+1's, and the command computes the node's distance to each record:
cosine distance (1 − cos) and normalized L2 (L2 between the unit vectors), both in [0, 2]. A reproduction of the
next record lies at 0 from record i+1; an agent that changed nothing lies at 0 from record i.

A script longer than the chunk size (--chunk-chars, or embedding_chunk_chars in the profile, default ${DEFAULT_CHUNK_CHARS}) is cut
into chunks of whole lines, all sent in one request; their embeddings are averaged, weighted by length (docs/distance.md).

Each run folder gets distance.json (the distances, model, chunking, the scripts' sha256 and chunk counts, tokens and
cost at the profile's input price) and embedding-calls.jsonl (every call, appended). Embeddings are cached under the
cache folder by (script sha256, model, chunking): records are embedded once per model and reused by every run.
Measuring again with the same scripts, model and chunking reuses distance.json without a call ("cached"); --force
embeds everything again. --replay rebuilds distance.json from embedding-calls.jsonl (and the cache) with no endpoint.
An answer without usable vectors (no data, wrong count or length, non-numbers) is asked again, at most
--answer-retries times; then that run fails and the others go on. The command exits non-zero when any run failed.

Examples:
  speedrun distance results/bench-1 --model text-embedding-3-small
  speedrun distance results/bench-1 --model my-embedder --chunk-chars 1500 --json
  speedrun distance results/bench-1 --replay`;

/** `speedrun distance RESULTS...`: how close, in an embedding space, each best node's script lies to records i and i+1. */
export function registerDistanceCommand(program: Command, ctx: CliContext): void {
  program
    .command('distance')
    .description("embed each run's best script and records i and i+1: cosine and normalized L2 distances, distance.json per run")
    .argument('<results...>', 'run folders or folders of runs (a bench)')
    .option(
      '--model <name>',
      'the embedding model: a profile in speedrun.config.yaml, or the model id the endpoint serves (with --replay: whose embeddings to replay)',
    )
    .option('--config <file>', 'config file with model profiles (default: $SPEEDRUN_CONFIG or ./speedrun.config.yaml)')
    .option('--base-url <url>', "the endpoint, overriding the profile's base_url")
    .option('--chunk-chars <n>', `most characters per embedded chunk (default: the profile's embedding_chunk_chars, else ${DEFAULT_CHUNK_CHARS})`)
    .option('--force', 'embed again, ignoring distance.json and the embedding cache')
    .option('--replay', 'rebuild distance.json from the recorded calls (embedding-calls.jsonl), without any endpoint')
    .option('--answer-retries <n>', 'times an answer without usable vectors is asked again', String(EMBED_ANSWER_RETRIES))
    .option('--json', 'print one JSON object: {"runs": [...], "failed": [...]}')
    .addHelpText('after', HELP_AFTER)
    .action(async (results: string[], flags: DistanceFlags) => {
      const chunkChars = flags.chunkChars === undefined ? undefined : parseWholeNumber(flags.chunkChars, '--chunk-chars', 1);
      const { measured, failed } = await distanceResults(ctx, results, {
        ...modelCommandSettings(ctx, flags, 'measure'),
        chunkChars,
      });
      if (flags.json) ctx.json({ runs: measured, failed });
      else {
        const f4 = (x: number) => x.toFixed(4);
        ctx.out(
          formatTable(
            ['run', 'node', 'to record i: cos', 'L2', 'to record i+1: cos', 'L2', 'chunks', 'model', 'status'],
            [
              ...measured.map((m) => [
                m.run_id,
                String(m.node),
                f4(m.distance_to_record_i.cosine),
                f4(m.distance_to_record_i.l2),
                f4(m.distance_to_next.cosine),
                f4(m.distance_to_next.l2),
                `${m.chunks.node}/${m.chunks.record}/${m.chunks.next}`,
                m.model,
                m.status,
              ]),
              ...failed.map((f) => [f.run_id ?? f.dir, '–', '–', '–', '–', '–', '–', flags.model ?? '–', 'failed']),
            ],
          ),
        );
      }
      if (failed.length > 0) throw failedRunsError(failed, measured.length, { system: 'embedding endpoint', verb: 'measured' });
    });
}
