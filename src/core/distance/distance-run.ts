import { LlmCallError } from '../agent/llm/chat.js';
import { callCost } from '../agent/llm/cost.js';
import type { EmbeddingClient, EmbeddingResponse } from '../agent/llm/embeddings-client.js';
import type { ResolvedModel } from '../agent/llm/model-profile.js';
import { sha256Hex } from '../catalog/files.js';
import { ExternalError, UserError } from '../errors.js';
import { distanceBetween, poolChunks } from '../score/embedding-distance.js';
import { DamagedRunError } from '../store/damaged-run.js';
import { readDistanceFile, writeDistanceFile, type DistanceFile, type EmbeddedScript } from '../store/distance-file.js';
import { appendEmbeddingCall, type EmbeddingCallRecord, type ScriptRole } from '../store/embedding-calls.js';
import { chunkText, type Chunking } from './chunking.js';
import { readEmbeddings } from './embedding-answer.js';
import { readCachedEmbedding, writeCachedEmbedding } from './embedding-cache.js';
import type { DistanceInputs } from './distance-inputs.js';
import { latestEmbedding } from './distance-replay.js';

/** How many times an answer without usable vectors is asked again (the answers are then 1 + this). */
export const EMBED_ANSWER_RETRIES = 2;

export interface DistanceRunOptions {
  runDir: string;
  inputs: DistanceInputs;
  model: ResolvedModel;
  chunking: Chunking;
  /** The client, asked for only when a call is needed: a run whose embeddings are all cached never reaches the endpoint. */
  client: () => Promise<EmbeddingClient>;
  /** endpoint: calls are made and appended to embedding-calls.jsonl; replay: served from `recorded`, nothing appended. */
  mode: 'endpoint' | 'replay';
  /** The run's recorded calls (replay). */
  recorded?: readonly EmbeddingCallRecord[];
  /** The cache root (<cache>/embeddings/ under it); null: no cache. */
  cacheRoot: string | null;
  answerRetries?: number;
  /** Ignore distance.json and the embedding cache: embed every script again (the cache is then rewritten). */
  force?: boolean;
  now?: () => Date;
  signal?: AbortSignal;
}

export interface DistanceOutcome {
  /** computed: embedded now (some scripts maybe from the cache); cached: distance.json already held it; replayed. */
  status: 'computed' | 'cached' | 'replayed';
  file: DistanceFile;
}

/** The endpoint answered, but never with usable vectors. */
export class EmbeddingAnswerError extends ExternalError {
  constructor(answers: number, problem: string) {
    super(
      'embedding endpoint',
      `no usable embeddings in ${answers} answer${answers === 1 ? '' : 's'}; the last problem: ${problem}`,
      'check the model profile (a model that serves embeddings?), or raise --answer-retries',
    );
  }
}

interface Embedded {
  vector: number[];
  meta: EmbeddedScript;
}

interface Tally {
  calls: number;
  malformed: number;
  prompt_tokens: number;
  cost_usd: number | null;
}

/**
 * The code distance of one run's best node: reuses distance.json when it holds these very scripts, model and
 * chunking; otherwise embeds records i and i+1 and the node (each distinct script once, from the cache when it has
 * it), pools each script's chunks and compares. Every call is recorded before its answer is read; an answer without
 * usable vectors is asked again up to `answerRetries` times. Endpoint failures (LlmCallError) propagate.
 */
export async function distanceRun(opts: DistanceRunOptions): Promise<DistanceOutcome> {
  const { inputs, model, chunking } = opts;
  const now = opts.now ?? (() => new Date());
  const sha = { node: sha256Hex(inputs.scripts.node), record: sha256Hex(inputs.scripts.record), next: sha256Hex(inputs.scripts.next) };
  if (opts.mode === 'endpoint' && !opts.force) {
    const existing = await readDistanceFile(opts.runDir).catch((error) => {
      if (error instanceof DamagedRunError) return null; // computed again and replaced
      throw error;
    });
    if (existing && sameKey(existing, inputs.node, model.name, chunking, sha)) return { status: 'cached', file: existing };
  }

  const tally: Tally = { calls: 0, malformed: 0, prompt_tokens: 0, cost_usd: 0 };
  const bySha = new Map<string, Embedded>();
  let dimension: number | null = null;
  const order: ScriptRole[] = ['record', 'next', 'node'];
  for (const role of order) {
    const hash = sha[role];
    if (bySha.has(hash)) continue;
    const roles = order.filter((r) => sha[r] === hash);
    const embedded = await embedScript(opts, inputs.scripts[role], hash, roles, dimension, tally, now);
    dimension ??= embedded.vector.length;
    if (embedded.vector.length !== dimension) {
      // Only a cache or a record can disagree here (live answers are checked against the length already known).
      throw new UserError(
        `embeddings of ${model.name} have ${dimension} and ${embedded.vector.length} numbers for scripts of run ${inputs.runId}`,
        'the model behind the profile changed: compute again with --force',
      );
    }
    bySha.set(hash, embedded);
  }
  const [node, record, next] = [bySha.get(sha.node)!, bySha.get(sha.record)!, bySha.get(sha.next)!];
  const file: DistanceFile = {
    version: 1,
    run_id: inputs.runId,
    track: inputs.track,
    record: inputs.record,
    next_record: inputs.nextRecord,
    node: inputs.node,
    model: model.name,
    model_id: model.model,
    chunking,
    dimension: dimension!,
    scripts: { node: node.meta, record: record.meta, next: next.meta },
    // The same script is at distance 0 exactly, not 1e-16 of rounding.
    distance_to_record_i: sha.node === sha.record ? { cosine: 0, l2: 0 } : distanceBetween(node.vector, record.vector),
    distance_to_next: sha.node === sha.next ? { cosine: 0, l2: 0 } : distanceBetween(node.vector, next.vector),
    calls: tally.calls,
    malformed_answers: tally.malformed,
    usage: { prompt_tokens: tally.prompt_tokens, cost_usd: tally.cost_usd },
    computed_at: now().toISOString(),
  };
  await writeDistanceFile(opts.runDir, file);
  return { status: opts.mode === 'replay' ? 'replayed' : 'computed', file };
}

function sameKey(file: DistanceFile, node: number, model: string, chunking: Chunking, sha: { node: string; record: string; next: string }): boolean {
  return (
    file.node === node &&
    file.model === model &&
    JSON.stringify(file.chunking) === JSON.stringify(chunking) &&
    file.scripts.node.sha256 === sha.node &&
    file.scripts.record.sha256 === sha.record &&
    file.scripts.next.sha256 === sha.next
  );
}

/** One script's pooled embedding: from the recorded calls (replay), the cache, or the endpoint. */
async function embedScript(
  opts: DistanceRunOptions,
  text: string,
  hash: string,
  roles: ScriptRole[],
  dimension: number | null,
  tally: Tally,
  now: () => Date,
): Promise<Embedded> {
  const { model, chunking } = opts;
  const chunks = chunkText(text, chunking.max_chars);
  const meta = (source: EmbeddedScript['source']): EmbeddedScript => ({ sha256: hash, chars: text.length, chunks: chunks.length, source });
  const key = { model: model.name, chunking, scriptSha256: hash };
  const session = opts.mode === 'replay' ? latestEmbedding(opts.recorded ?? [], key) : null;
  if (!session && opts.cacheRoot && !(opts.force && opts.mode === 'endpoint')) {
    const cached = await readCachedEmbedding(opts.cacheRoot, key);
    if (cached) return { vector: cached.vector, meta: meta('cache') };
  }
  if (opts.mode === 'replay' && !session) {
    throw new UserError(
      `no recorded embedding of script ${hash.slice(0, 12)} (${roles.join(', ')}) by ${model.name} with ${chunking.max_chars}-character chunks, and none in the embedding cache`,
      'compute the distances without --replay first',
    );
  }

  const inputs = chunks.map((c) => ({ sha256: sha256Hex(c), chars: c.length }));
  const answerRetries = opts.answerRetries ?? EMBED_ANSWER_RETRIES;
  const client = session ? null : await opts.client();
  let problem = '';
  for (let index = 0; index <= answerRetries; index++) {
    const purpose = index === 0 ? 'embed' : 'embed-retry';
    const base = {
      purpose,
      at: now().toISOString(),
      model: model.name,
      model_id: model.model,
      script_sha256: hash,
      roles,
      chunking,
      request: { inputs },
    } as const;
    let response: EmbeddingResponse | null = null;
    let cost: number | null;
    let read: ReturnType<typeof readEmbeddings>;
    if (session) {
      const recorded = session[index];
      if (!recorded)
        throw new UserError(
          `the recorded embedding of script ${hash.slice(0, 12)} ended after ${session.length} call(s)`,
          'compute the distances again without --replay',
        );
      if (!sameInputs(recorded, inputs)) {
        throw new UserError(
          `recorded embedding call ${index + 1} of script ${hash.slice(0, 12)} embedded other chunks than this replay would send`,
          'replay with the --chunk-chars the calls used',
        );
      }
      if (recorded.error) throw new LlmCallError(recorded.error.kind as LlmCallError['kind'], recorded.error.message, recorded.error.status, recorded.retries);
      cost = recorded.cost_usd;
      tally.prompt_tokens += recorded.usage?.prompt_tokens ?? 0;
      read = recorded.response?.vectors
        ? readEmbeddings({ data: recorded.response.vectors.map((embedding, i) => ({ index: i, embedding })) }, inputs.length, dimension)
        : { ok: false, problem: recorded.malformed ?? 'recorded call has no vectors' };
    } else {
      const started = Date.now();
      try {
        response = await client!.embed(chunks, opts.signal);
      } catch (error) {
        if (error instanceof LlmCallError) {
          appendEmbeddingCall(opts.runDir, {
            ...base,
            response: null,
            malformed: null,
            error: { kind: error.kind, status: error.status, message: error.detail },
            usage: null,
            latency_ms: Date.now() - started,
            retries: error.retries,
            cost_usd: model.prices ? 0 : null,
          });
        }
        throw error;
      }
      cost = callCost(response.usage && { prompt_tokens: response.usage.prompt_tokens, completion_tokens: 0 }, model.prices);
      tally.prompt_tokens += response.usage?.prompt_tokens ?? 0;
      read = readEmbeddings(response.body, inputs.length, dimension);
      appendEmbeddingCall(opts.runDir, {
        ...base,
        response: { vectors: read.ok ? read.vectors : null, model: response.model },
        malformed: read.ok ? null : read.problem,
        error: null,
        usage: response.usage,
        latency_ms: response.latency_ms,
        retries: response.retries,
        cost_usd: cost,
      });
    }
    tally.calls++;
    tally.cost_usd = tally.cost_usd === null || cost === null ? null : tally.cost_usd + cost;
    if (read.ok) {
      const vector = poolChunks(
        read.vectors,
        chunks.map((c) => c.length),
      );
      if (!session && opts.cacheRoot) {
        await writeCachedEmbedding(opts.cacheRoot, {
          version: 1,
          model: model.name,
          model_id: model.model,
          chunking,
          script_sha256: hash,
          chars: text.length,
          chunks: chunks.length,
          vector,
          created_at: now().toISOString(),
        });
      }
      return { vector, meta: meta(session ? 'replay' : 'endpoint') };
    }
    tally.malformed++;
    problem = read.problem;
  }
  throw new EmbeddingAnswerError(answerRetries + 1, problem);
}

function sameInputs(recorded: EmbeddingCallRecord, inputs: ReadonlyArray<{ sha256: string; chars: number }>): boolean {
  const sent = recorded.request.inputs;
  return sent.length === inputs.length && sent.every((s, i) => s.sha256 === inputs[i]!.sha256);
}
