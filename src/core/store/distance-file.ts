import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../fs-atomic.js';
import { readStoreJson } from './damaged-run.js';
import { DISTANCE_FILE } from './layout.js';

/** Cosine distance (1 − cos) and normalized L2 (L2 of the unit vectors), both in [0, 2]. */
export const DistancePair = z.object({ cosine: z.number().min(0).max(2), l2: z.number().min(0).max(2) });
export type DistancePair = z.infer<typeof DistancePair>;

/** One script as embedded: its sha256 and size, its chunks, and where its embedding came from. */
export const EmbeddedScript = z.object({
  sha256: z.string(),
  chars: z.number().int().nonnegative(),
  chunks: z.number().int().positive(),
  /** endpoint: embedded now; cache: the embedding cache held it; replay: rebuilt from embedding-calls.jsonl. */
  source: z.enum(['endpoint', 'cache', 'replay']),
});
export type EmbeddedScript = z.infer<typeof EmbeddedScript>;

/**
 * distance.json: how far the run's best node's script lies from record i's and record i+1's, in one embedding
 * model's space (docs/distance.md). Computing again with the same scripts, model and chunking reuses it without a
 * call; `--replay` rebuilds it from embedding-calls.jsonl.
 */
export const DistanceFile = z.object({
  version: z.literal(1),
  run_id: z.string(),
  track: z.string(),
  record: z.number().int(),
  next_record: z.number().int(),
  /** The node measured: the run's best (0 when the best is record i itself). */
  node: z.number().int().nonnegative(),
  /** The profile's name, and the model id the endpoint was asked for. */
  model: z.string(),
  model_id: z.string(),
  chunking: z.object({ policy: z.literal('lines'), max_chars: z.number().int().positive(), pooling: z.literal('mean-by-chars') }),
  /** The embeddings' length. */
  dimension: z.number().int().positive(),
  scripts: z.object({ node: EmbeddedScript, record: EmbeddedScript, next: EmbeddedScript }),
  distance_to_record_i: DistancePair,
  distance_to_next: DistancePair,
  /** Calls made (or replayed) for this file, and how many of their answers held no usable vectors and were asked again. */
  calls: z.number().int().nonnegative(),
  malformed_answers: z.number().int().nonnegative(),
  usage: z.object({
    prompt_tokens: z.number().int().nonnegative(),
    /** Null when a call had no known price (no prices in the profile, or no usage reported). */
    cost_usd: z.number().nullable(),
  }),
  computed_at: z.string(),
});
export type DistanceFile = z.infer<typeof DistanceFile>;

/** distance.json, or null before `speedrun distance` ran; a damaged one throws DamagedRunError. */
export async function readDistanceFile(runDir: string): Promise<DistanceFile | null> {
  return (await readStoreJson(runDir, join(runDir, DISTANCE_FILE), DistanceFile)) ?? null;
}

export async function writeDistanceFile(runDir: string, file: DistanceFile): Promise<void> {
  await writeJsonAtomic(join(runDir, DISTANCE_FILE), DistanceFile.parse(file));
}
