import { z } from 'zod';

/**
 * The paper mode's numbers: `speedrun report --paper-figures --json` (the published aggregates recomputed from the
 * notebook's saved matrices) and the `paper` section of report.json (`speedrun report --paper`). Point estimates are
 * rliable's median, IQM (scipy's trim_mean), mean and optimality gap of a (rows × 3) best-3 matrix.
 */

const Pair = z.tuple([z.number(), z.number()]);

export const PaperPoint = z.object({ median: z.number(), iqm: z.number(), mean: z.number(), optimality_gap: z.number() });
export type PaperPoint = z.infer<typeof PaperPoint>;

export const PaperIntervalsSchema = z.object({ median: Pair, iqm: Pair, mean: Pair, optimality_gap: Pair });

/** Our aggregates of one matrix with our seeded stratified-bootstrap CIs. */
export const PaperEstimate = PaperPoint.extend({
  /** Matrix rows: tasks (× configurations, when pooled). */
  rows: z.number().int(),
  ci: PaperIntervalsSchema,
});
export type PaperEstimate = z.infer<typeof PaperEstimate>;

export const PaperFigureRow = PaperEstimate.extend({
  /** Our name of the group: a hint spec, a scaffold, a model, or `hint · model · scaffold`. */
  label: z.string(),
  /** The notebook's name: `z_all_model_all_searches`, `flat_125_o3-mini`, ... */
  key: z.string(),
  /** What the notebook itself printed for this group (pooled hints and scaffolds only); null where it printed none. */
  notebook: PaperPoint.extend({ ci: PaperIntervalsSchema.nullable() }).nullable(),
  /** Every point estimate equals the notebook's to 4 decimals; null without a printed figure. */
  matches: z.boolean().nullable(),
});
export type PaperFigureRow = z.infer<typeof PaperFigureRow>;

export const PaperConfigRow = PaperFigureRow.extend({ hint: z.string(), model: z.string(), scaffold: z.string(), tasks: z.array(z.number().int()) });
export type PaperConfigRow = z.infer<typeof PaperConfigRow>;

export const PaperFigures = z.object({
  notebook: z.object({ path: z.string(), sha256: z.string(), configurations: z.number().int() }),
  statistics: z.object({ bootstrap_reps: z.number().int(), seed: z.number().int(), level: z.number(), note: z.string() }),
  /** Each hint setting pooled over the 5 scaffolds × 3 models (the notebook's cell 22 stacking). */
  by_hint: z.array(PaperFigureRow),
  /** Each scaffold pooled over the 3 models × 6 hint settings. */
  by_scaffold: z.array(PaperFigureRow),
  /** Each model pooled over the 5 scaffolds × 6 hint settings (the notebook prints no figure for these). */
  by_model: z.array(PaperFigureRow),
  configurations: z.array(PaperConfigRow),
  /** Every printed figure matched. */
  all_match: z.boolean(),
});
export type PaperFigures = z.infer<typeof PaperFigures>;

/** The paper's figure for the configuration a user ran, from its notebook matrix. */
export const PublishedFigure = PaperPoint.extend({
  key: z.string(),
  /** Tasks of the notebook's matrix it rests on. */
  tasks: z.number().int(),
});
export type PublishedFigure = z.infer<typeof PublishedFigure>;

export const PaperRow = z.object({
  configuration: z.string(),
  hint: z.string(),
  model: z.string(),
  scaffold: z.string(),
  tasks: z.number().int(),
  /** Runs whose search is over (finished or budget-exhausted) on the paper-mode tasks. */
  runs: z.number().int(),
  estimate: PaperEstimate,
  /** The paper's figure on the same tasks as the user's runs, and on all its tasks; null where none exists. */
  published: PublishedFigure.nullable(),
  published_all: PublishedFigure.nullable(),
  /** Why there is no published figure (another track, model, hint or scaffold), else null. */
  published_note: z.string().nullable(),
});
export type PaperRow = z.infer<typeof PaperRow>;

export const PaperSection = z.object({
  /** The validity threshold per track: a node counts when its final val_loss is below this. */
  validity: z.array(z.object({ track: z.string(), below: z.number().nullable() })),
  /** Runs left out: not over yet (aborted, failed) or on a task outside the paper's 18. */
  left_out: z.object({ not_over: z.number().int(), other_tasks: z.number().int() }),
  notes: z.array(z.string()),
  rows: z.array(PaperRow),
});
export type PaperSection = z.infer<typeof PaperSection>;

/**
 * The paper's node types over the first `step` agent nodes (baseline excluded) of the runs that made that many:
 * buggy (failed, or missed the target), no improvement (valid but slower than t_i + σ_i), improved (valid, not
 * slower than t_i + σ_i), and aborted (stopped by a Ctrl-C or a budget; not a class of the paper's).
 */
export const NodeTypeRow = z.object({
  configuration: z.string(),
  step: z.number().int().positive(),
  runs: z.number().int(),
  /** step × runs. */
  nodes: z.number().int(),
  buggy: z.number().int(),
  /** Of the buggy ones: ran to the end but missed the target (the paper's runner marks those buggy too). */
  missed_target: z.number().int(),
  no_improvement: z.number().int(),
  improved: z.number().int(),
  /** Of the improved ones: faster than t_i − σ_i, beyond the baseline's noise. */
  faster_beyond_sd: z.number().int(),
  aborted: z.number().int(),
});
export type NodeTypeRow = z.infer<typeof NodeTypeRow>;

/** The σ_i a task's node types used, and where it came from. */
export const TimeSpreadRow = z.object({
  task: z.string(),
  times_from: z.string(),
  baseline_ms: z.number(),
  /** Null when unknown; the node types then use σ = 0. */
  sd_ms: z.number().nullable(),
  source: z.string(),
});
export type TimeSpreadRow = z.infer<typeof TimeSpreadRow>;
