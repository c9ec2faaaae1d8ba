import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../fs-atomic.js';
import { readStoreJson } from './damaged-run.js';
import { JUDGE_FILE } from './layout.js';

/** How one of the record's changes shows in the judged node (docs/judge.md has the rubric). */
export const JudgeVerdict = z.enum(['faithful', 'partial', 'missing']);
export type JudgeVerdict = z.infer<typeof JudgeVerdict>;

export const JudgedChange = z.object({ change: z.string().min(1), verdict: JudgeVerdict });
export type JudgedChange = z.infer<typeof JudgedChange>;

/**
 * What the judge model must answer: a reproducibility score, each of the record's changes with its verdict, what
 * else the node changed, and why. A score outside [0, 1] is no answer (the model is asked again).
 */
export const JudgeAnswer = z.object({
  score: z.number().min(0, 'score must be in [0, 1]').max(1, 'score must be in [0, 1]'),
  implemented: z.array(JudgedChange),
  other_changes: z.array(z.string()),
  reasons: z.string(),
});
export type JudgeAnswer = z.infer<typeof JudgeAnswer>;

/**
 * judge.json: the judged reproduction of a run's best node, beside run.json. Judging again with the same diffs,
 * model and prompt reuses it without a call; `--replay` rebuilds it from judge-calls.jsonl.
 */
export const JudgeFile = JudgeAnswer.extend({
  version: z.literal(1),
  run_id: z.string(),
  track: z.string(),
  record: z.number().int(),
  /** The node judged: the run's best (0 when the best is record i itself). */
  node: z.number().int().nonnegative(),
  /** The model profile's name, and the id the endpoint was asked for. */
  model: z.string(),
  model_id: z.string(),
  prompt_version: z.string(),
  /** sha256 over every file of the judge prompt set: an edited prompt never passes for the old one. */
  prompt_sha256: z.string(),
  /** sha256 of the diffs the judge saw: the node against node 0, record i → i+1, upstream's level-0 diff (null: none). */
  node_diff_sha256: z.string(),
  true_diff_sha256: z.string(),
  level0_diff_sha256: z.string().nullable(),
  /**
   * endpoint: the model answered now; replay: rebuilt from the recorded calls; no-change: the node's script is
   * record i's, so nothing was reproduced and no model was asked (score 0).
   */
  source: z.enum(['endpoint', 'replay', 'no-change']),
  /** Calls made for this verdict, and how many answers before the accepted one were malformed. */
  calls: z.number().int().nonnegative(),
  malformed_answers: z.number().int().nonnegative(),
  usage: z.object({
    prompt_tokens: z.number().int().nonnegative(),
    completion_tokens: z.number().int().nonnegative(),
    /** Null when a call had no known price (no prices in the profile, or no usage reported). */
    cost_usd: z.number().nullable(),
  }),
  judged_at: z.string(),
});
export type JudgeFile = z.infer<typeof JudgeFile>;

/** judge.json, or null before `speedrun judge` ran; a damaged one throws DamagedRunError. */
export async function readJudgeFile(runDir: string): Promise<JudgeFile | null> {
  return (await readStoreJson(runDir, join(runDir, JUDGE_FILE), JudgeFile)) ?? null;
}

export async function writeJudgeFile(runDir: string, file: JudgeFile): Promise<void> {
  await writeJsonAtomic(join(runDir, JUDGE_FILE), JudgeFile.parse(file));
}
