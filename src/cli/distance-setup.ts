import { join } from 'node:path';
import { OpenAiEmbeddingClient, type EmbeddingClient } from '../core/agent/llm/embeddings-client.js';
import type { ResolvedModel } from '../core/agent/llm/model-profile.js';
import { UserError } from '../core/errors.js';
import { chunking, DEFAULT_CHUNK_CHARS } from '../core/distance/chunking.js';
import { loadDistanceInputs } from '../core/distance/distance-inputs.js';
import { latestRecorded } from '../core/distance/distance-replay.js';
import { distanceRun, type DistanceOutcome, type DistanceRunOptions } from '../core/distance/distance-run.js';
import { namedModel } from '../core/judge/judge-replay.js';
import { DamagedRunError } from '../core/store/damaged-run.js';
import { readDistanceFile, type DistancePair } from '../core/store/distance-file.js';
import { readEmbeddingCalls, type EmbeddingCallRecord } from '../core/store/embedding-calls.js';
import { DISTANCE_FILE, EMBEDDING_CALLS_FILE } from '../core/store/layout.js';
import type { CliContext } from './context.js';
import { eachFinishedRun, runFoldersUnder, type FailedRun } from './each-run.js';
import { liveModel } from './live-model.js';

export interface DistanceSettings {
  /** Live: the embedding model's profile; replay: whose recorded embeddings to replay (default the run's latest). */
  model?: string;
  config?: string;
  baseUrl?: string;
  /** Chunk size; default the profile's embedding_chunk_chars (replay: the recorded calls'), else 4000. */
  chunkChars?: number;
  replay: boolean;
  force: boolean;
  answerRetries: number;
  signal: AbortSignal;
}

export interface MeasuredRun {
  run_id: string;
  dir: string;
  status: DistanceOutcome['status'];
  node: number;
  model: string;
  chunk_chars: number;
  /** Chunks of the node's, record i's and record i+1's scripts. */
  chunks: { node: number; record: number; next: number };
  distance_to_record_i: DistancePair;
  distance_to_next: DistancePair;
  file: string;
}

/**
 * Measures every finished run under the folders, one at a time, going on after a run that fails (listed with its
 * reason). The live endpoint is resolved once and checked before the first call any run needs; the embedding cache
 * (<cache>/embeddings/) is shared by every run.
 */
export async function distanceResults(
  ctx: CliContext,
  dirs: readonly string[],
  settings: DistanceSettings,
): Promise<{ measured: MeasuredRun[]; failed: FailedRun[] }> {
  const folders = await runFoldersUnder(dirs);
  const live = settings.replay ? null : await liveEmbedder(ctx, settings);
  // A run that read all its embeddings from the cache recorded no call: its replay takes the model the others used.
  const replayDefault = settings.replay ? latestRecorded(await latestCallAmong(folders)) : null;
  const cacheRoot = ctx.cache().root;
  const { done, failed } = await eachFinishedRun(ctx, folders, { label: 'distance', signal: settings.signal }, async (dir, summary) => {
    const inputs = await loadDistanceInputs({ runDir: dir, summary, cache: ctx.cache() });
    const common = { runDir: dir, inputs, cacheRoot, answerRetries: settings.answerRetries, signal: settings.signal };
    const run: DistanceRunOptions = live
      ? { ...common, ...live, mode: 'endpoint', force: settings.force }
      : { ...common, ...(await replayOf(dir, settings, replayDefault)) };
    const { status, file: f } = await distanceRun(run);
    const fmt = (d: DistancePair) => `cos ${d.cosine.toFixed(4)}, L2 ${d.l2.toFixed(4)}`;
    ctx.log(
      `distance ${summary.run_id}: node ${f.node}: to record ${f.record} ${fmt(f.distance_to_record_i)}; to record ${f.next_record} ${fmt(f.distance_to_next)} (${status}${f.malformed_answers ? `, ${f.malformed_answers} malformed answer(s) retried` : ''})`,
    );
    return {
      run_id: summary.run_id,
      dir,
      status,
      node: f.node,
      model: f.model,
      chunk_chars: f.chunking.max_chars,
      chunks: { node: f.scripts.node.chunks, record: f.scripts.record.chunks, next: f.scripts.next.chunks },
      distance_to_record_i: f.distance_to_record_i,
      distance_to_next: f.distance_to_next,
      file: join(dir, DISTANCE_FILE),
    };
  });
  return { measured: done, failed };
}

/** The embedding model as `speedrun judge` resolves its model; its endpoint checked once, when the first call is due. */
async function liveEmbedder(ctx: CliContext, settings: DistanceSettings): Promise<Pick<DistanceRunOptions, 'model' | 'client' | 'chunking'>> {
  // The chunk size is known once the profile is: the log line, written at the first call, names it.
  let policy: ReturnType<typeof chunking> | null = null;
  const describe = (m: ResolvedModel) => `distance: embedding model ${m.name} (${m.model} at ${m.base_url}), chunks of at most ${policy?.max_chars} characters`;
  const live = await liveModel<EmbeddingClient>(ctx, settings, 'distance', describe, (m, key) => new OpenAiEmbeddingClient(m, key));
  policy = chunking(settings.chunkChars ?? live.model.embedding_chunk_chars ?? DEFAULT_CHUNK_CHARS);
  return { ...live, chunking: policy };
}

/** A run's recorded embeddings as the source, with the model and chunk size they used (or those named); no endpoint. */
async function replayOf(
  dir: string,
  settings: DistanceSettings,
  fallback: ReturnType<typeof latestRecorded>,
): Promise<Pick<DistanceRunOptions, 'model' | 'client' | 'mode' | 'recorded' | 'chunking'>> {
  const recorded = await readEmbeddingCalls(dir);
  const named = <T extends { model: string }>(x: T | null | undefined): T | null => (x && (!settings.model || x.model === settings.model) ? x : null);
  const previous = await readDistanceFile(dir).catch((error) => {
    if (error instanceof DamagedRunError) return null;
    throw error;
  });
  // The run's own latest call, else its distance.json, else the latest call of the other runs.
  const source =
    latestRecorded(settings.model ? recorded.filter((c) => c.model === settings.model) : recorded) ??
    named(previous && { model: previous.model, model_id: previous.model_id, max_chars: previous.chunking.max_chars }) ??
    named(fallback);
  const modelName = settings.model ?? source?.model;
  if (!modelName) {
    throw new UserError(
      `${join(dir, EMBEDDING_CALLS_FILE)} holds no embedding call, and the run has no ${DISTANCE_FILE}`,
      'compute the distances without --replay first',
    );
  }
  const modelId = source?.model_id ?? modelName;
  const maxChars = settings.chunkChars ?? source?.max_chars ?? DEFAULT_CHUNK_CHARS;
  return {
    model: namedModel(modelName, modelId),
    chunking: chunking(maxChars),
    mode: 'replay',
    recorded,
    client: () => Promise.reject(new UserError('a replay makes no embedding call', 'compute the distances without --replay')),
  };
}

/** The latest embedding call recorded in any of the folders (by its time), as a one-element list; [] when none. */
async function latestCallAmong(folders: readonly string[]): Promise<EmbeddingCallRecord[]> {
  let latest: EmbeddingCallRecord | null = null;
  for (const dir of folders) {
    const calls = await readEmbeddingCalls(dir).catch(() => []);
    const last = calls[calls.length - 1];
    if (last && (!latest || last.at > latest.at)) latest = last;
  }
  return latest ? [latest] : [];
}
