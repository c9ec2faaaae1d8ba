import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../fs-atomic.js';
import { readStoreJson } from '../store/damaged-run.js';
import { IDEAS_FILE } from '../store/layout.js';
import { IdeaClass } from './taxonomy.js';

/** What the model must answer about one draft: its primary class, any secondary classes, and why. */
export const IdeaAnswer = z.object({
  primary: IdeaClass,
  secondary: z.array(IdeaClass).default([]),
  reason: z.string().min(1),
});
export type IdeaAnswer = z.infer<typeof IdeaAnswer>;

const Usage = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  /** Null when a call had no known price (no prices in the profile, or no usage reported). */
  cost_usd: z.number().nullable(),
});

/** One classified draft. Reused while its diff, the model, the prompts and the taxonomy stay the same. */
export const IdeaNode = IdeaAnswer.extend({
  node: z.number().int().nonnegative(),
  parent: z.number().int().nonnegative().nullable(),
  /** sha256 of the draft's edit.diff (against its parent): the cache key with the model and prompt version. */
  diff_sha256: z.string(),
  /** The agent's own one-line account of the draft, as the model saw it. */
  note: z.string().nullable(),
  /** endpoint: the model answered; replay: rebuilt from ideas-calls.jsonl. A cached node keeps its first source. */
  source: z.enum(['endpoint', 'replay']),
  calls: z.number().int().nonnegative(),
  malformed_answers: z.number().int().nonnegative(),
  usage: Usage,
  classified_at: z.string(),
});
export type IdeaNode = z.infer<typeof IdeaNode>;

/**
 * ideas.json: the idea class of each draft node of a run and the Shannon entropy of the first K drafts' primary
 * classes (docs/ideas.md). `speedrun ideas` writes it beside run.json.
 */
export const IdeasFile = z.object({
  version: z.literal(1),
  run_id: z.string(),
  track: z.string(),
  record: z.number().int(),
  /** The model profile's name, and the id the endpoint was asked for. */
  model: z.string(),
  model_id: z.string(),
  prompt_version: z.string(),
  /** sha256 over every file of prompts/ideas/<version>. */
  prompt_sha256: z.string(),
  taxonomy_version: z.string(),
  taxonomy_sha256: z.string(),
  /** The entropy's K: the first K drafts with a script, in node order; null: all of them. */
  k: z.number().int().positive().nullable(),
  /** Draft nodes of the run (the agent's, not its experiments), classified or not. */
  drafts: z.number().int().nonnegative(),
  nodes: z.array(IdeaNode),
  /** Drafts with nothing to classify: no script (edit-failed, agent-error, agent-failed) or no change against the parent. */
  skipped: z.array(z.object({ node: z.number().int().nonnegative(), reason: z.string() })),
  /** Drafts the model never classified usably (or whose call failed); `speedrun ideas` exits non-zero for them. */
  failed: z.array(z.object({ node: z.number().int().nonnegative(), error: z.string() })),
  /** The drafts the entropy is over (the first K with a script), and their primary classes counted. */
  first_k: z.array(z.number().int().nonnegative()),
  class_counts: z.record(z.string(), z.number().int().nonnegative()),
  /** Shannon entropy (bits) of the first K drafts' primary classes; null when none is classified or one of them failed. */
  entropy_bits: z.number().nonnegative().nullable(),
  /** Tokens and cost of the calls behind the classes now in the file (cached ones included). */
  usage: Usage,
  classified_at: z.string(),
});
export type IdeasFile = z.infer<typeof IdeasFile>;

/** ideas.json, or null before `speedrun ideas` ran; a damaged one throws DamagedRunError. */
export async function readIdeasFile(runDir: string): Promise<IdeasFile | null> {
  return (await readStoreJson(runDir, join(runDir, IDEAS_FILE), IdeasFile)) ?? null;
}

export async function writeIdeasFile(runDir: string, file: IdeasFile): Promise<void> {
  await writeJsonAtomic(join(runDir, IDEAS_FILE), IdeasFile.parse(file));
}
