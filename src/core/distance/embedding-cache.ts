import { join } from 'node:path';
import { z } from 'zod';
import { sha256Hex } from '../catalog/files.js';
import { readJsonIfPresent, writeJsonAtomic } from '../fs-atomic.js';
import { Chunking } from './chunking.js';

/**
 * The embedding cache: one file per (script sha256, model, chunking) under <cache>/embeddings/, holding the pooled
 * vector. Records i and i+1 are the same scripts in every run of a task, so each is embedded once per model and
 * chunking and then read from here by every other run (and a node whose script is a record's reads it too). The
 * cache is a saving, never a source of truth: a missing, damaged or foreign file is embedded again.
 */

export const CachedEmbedding = z.object({
  version: z.literal(1),
  model: z.string(),
  model_id: z.string(),
  chunking: Chunking,
  script_sha256: z.string(),
  chars: z.number().int().nonnegative(),
  chunks: z.number().int().positive(),
  /** The pooled, unit-length embedding. */
  vector: z.array(z.number()),
  created_at: z.string(),
});
export type CachedEmbedding = z.infer<typeof CachedEmbedding>;

export interface CacheKey {
  model: string;
  chunking: Chunking;
  scriptSha256: string;
}

export function embeddingCacheFile(cacheRoot: string, key: CacheKey): string {
  const id = sha256Hex(JSON.stringify({ model: key.model, chunking: key.chunking, script: key.scriptSha256 }));
  return join(cacheRoot, 'embeddings', `${id}.json`);
}

/** The cached embedding for this key, or null (absent, unreadable, or written for another key). */
export async function readCachedEmbedding(cacheRoot: string, key: CacheKey): Promise<CachedEmbedding | null> {
  const raw = await readJsonIfPresent(embeddingCacheFile(cacheRoot, key)).catch(() => undefined);
  const parsed = CachedEmbedding.safeParse(raw);
  if (!parsed.success) return null;
  const entry = parsed.data;
  const same = entry.model === key.model && entry.script_sha256 === key.scriptSha256 && JSON.stringify(entry.chunking) === JSON.stringify(key.chunking);
  return same ? entry : null;
}

export async function writeCachedEmbedding(cacheRoot: string, entry: CachedEmbedding): Promise<void> {
  const key = { model: entry.model, chunking: entry.chunking, scriptSha256: entry.script_sha256 };
  await writeJsonAtomic(embeddingCacheFile(cacheRoot, key), CachedEmbedding.parse(entry));
}
