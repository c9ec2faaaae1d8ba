import type { EmbeddingCallRecord } from '../store/embedding-calls.js';
import type { CacheKey } from './embedding-cache.js';

/**
 * One embedding of a script as recorded in embedding-calls.jsonl: an `embed` call and the `embed-retry` calls after
 * it (each after an answer without usable vectors). A file holds every embedding ever asked for the run, oldest first.
 */
export function embeddingSessions(calls: readonly EmbeddingCallRecord[]): EmbeddingCallRecord[][] {
  const sessions: EmbeddingCallRecord[][] = [];
  for (const call of calls) {
    const last = sessions[sessions.length - 1];
    if (call.purpose === 'embed' || !last || last[0]!.script_sha256 !== call.script_sha256) sessions.push([call]);
    else last.push(call);
  }
  return sessions;
}

/** The latest recorded embedding of this script by this model with this chunking, or null. */
export function latestEmbedding(calls: readonly EmbeddingCallRecord[], key: CacheKey): EmbeddingCallRecord[] | null {
  const matching = embeddingSessions(calls).filter((s) => {
    const first = s[0]!;
    return first.script_sha256 === key.scriptSha256 && first.model === key.model && JSON.stringify(first.chunking) === JSON.stringify(key.chunking);
  });
  return matching[matching.length - 1] ?? null;
}

/** The model and chunk size of a run's latest recorded embedding call: what a replay without --model replays. */
export function latestRecorded(calls: readonly EmbeddingCallRecord[]): { model: string; model_id: string; max_chars: number } | null {
  const last = calls[calls.length - 1];
  return last ? { model: last.model, model_id: last.model_id, max_chars: last.chunking.max_chars } : null;
}
