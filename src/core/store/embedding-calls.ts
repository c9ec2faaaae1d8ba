import { join } from 'node:path';
import { z } from 'zod';
import { appendInFolder } from '../fs-atomic.js';
import { readJsonLines } from './json-lines.js';
import { EMBEDDING_CALLS_FILE } from './layout.js';

/**
 * embedding-calls.jsonl: every POST /embeddings `speedrun distance` made for a run, one record per line, appended
 * (never rewritten), so `speedrun distance --replay` can rebuild distance.json without an endpoint. The shape of an
 * LlmCallRecord where the two meet (model, usage, latency, retries, cost, error); the request is the chunks' sha256
 * and sizes (the texts are the scripts, kept elsewhere) and the answer is the vectors.
 */

export const ScriptRole = z.enum(['record', 'next', 'node']);
export type ScriptRole = z.infer<typeof ScriptRole>;

export const EmbeddingCallRecord = z.object({
  /** `embed`, then `embed-retry` after an answer that held no usable vectors. */
  purpose: z.enum(['embed', 'embed-retry']),
  at: z.string(),
  /** The profile's name, and the model id sent. */
  model: z.string(),
  model_id: z.string(),
  /** The script embedded (its sha256) and what it is to the run: record i, record i+1, the best node (several when equal). */
  script_sha256: z.string(),
  roles: z.array(ScriptRole),
  /** The chunking policy's fields (distance/chunking.ts), kept loose here: the store does not know the policy. */
  chunking: z.object({ policy: z.string(), max_chars: z.number().int().positive(), pooling: z.string() }),
  request: z.object({ inputs: z.array(z.object({ sha256: z.string(), chars: z.number().int().nonnegative() })) }),
  /** One vector per input, in input order, as read; null when the answer held no usable vectors (`malformed` says why). */
  response: z.object({ vectors: z.array(z.array(z.number())).nullable(), model: z.string().nullable() }).nullable(),
  malformed: z.string().nullable(),
  error: z.object({ kind: z.string(), status: z.number().nullable(), message: z.string() }).nullable(),
  usage: z.object({ prompt_tokens: z.number() }).nullable(),
  latency_ms: z.number(),
  retries: z.array(z.object({ error: z.string(), status: z.number().nullable(), waited_ms: z.number() })),
  cost_usd: z.number().nullable(),
});
export type EmbeddingCallRecord = z.infer<typeof EmbeddingCallRecord>;

export function appendEmbeddingCall(runDir: string, call: EmbeddingCallRecord): void {
  appendInFolder(join(runDir, EMBEDDING_CALLS_FILE), `${JSON.stringify(EmbeddingCallRecord.parse(call))}\n`);
}

/** Every recorded embedding call of a run, in order; [] when none was made. A line that does not parse is refused. */
export async function readEmbeddingCalls(runDir: string): Promise<EmbeddingCallRecord[]> {
  const fix = 'the file is damaged; compute the distances again with --force';
  return readJsonLines(join(runDir, EMBEDDING_CALLS_FILE), EmbeddingCallRecord, 'a recorded embedding call', fix);
}
