import { z } from 'zod';

/**
 * report.json's `ideas`: `speedrun ideas`' ideation diversity beside FSR, per configuration and per run. Null when
 * no run of the report has an ideas.json.
 */

const Num = z.number().nullable();

export const IdeasRow = z.object({
  configuration: z.string(),
  runs: z.number().int(),
  /** Runs with an entropy; the means are over them. */
  classified: z.number().int(),
  mean_entropy: Num,
  /** Mean number of drafts the entropies rest on (K, or fewer where a run had fewer drafts). */
  mean_drafts: Num,
  /** Mean FSR of the classified runs that are scored. */
  mean_fsr: Num,
});
export type IdeasRow = z.infer<typeof IdeasRow>;

/** The primary classes of the classified runs' first drafts, counted per configuration (every taxonomy class listed). */
export const IdeaClassRow = z.object({
  configuration: z.string(),
  drafts: z.number().int(),
  counts: z.record(z.string(), z.number().int()),
});
export type IdeaClassRow = z.infer<typeof IdeaClassRow>;

/** One classified, scored run: a point of the entropy-against-FSR scatter. */
export const IdeasPoint = z.object({ run_id: z.string(), configuration: z.string(), task: z.string(), entropy: z.number(), fsr: z.number() });
export type IdeasPoint = z.infer<typeof IdeasPoint>;

export const IdeasReport = z.object({
  classified: z.number().int(),
  /** The classifying models, prompt versions and taxonomy versions behind the entropies (several: the means mix them). */
  models: z.array(z.string()),
  prompt_versions: z.array(z.string()),
  taxonomy_versions: z.array(z.string()),
  /** The K of the runs' entropies (null: all drafts). */
  ks: z.array(z.number().int().nullable()),
  classes: z.array(z.string()),
  rows: z.array(IdeasRow),
  class_counts: z.array(IdeaClassRow),
  points: z.array(IdeasPoint),
  /** Pearson's r and Spearman's ρ of entropy and FSR over the points; null with fewer than 3 or no spread. */
  pearson: Num,
  spearman: Num,
});
export type IdeasReport = z.infer<typeof IdeasReport>;
