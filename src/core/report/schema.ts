import { z } from 'zod';
import { IdeasReport } from './ideas-schema.js';
import { JudgeReport } from './judge-schema.js';
import { DistanceFit, DistanceMeans, RunDistance } from './distance-schema.js';
import { NodeTypeRow, PaperSection, TimeSpreadRow } from './paper-schema.js';
import { IntegrityStatus } from './verification.js';
import { ChainRow } from './chain-schema.js';

/**
 * report.json: every number the markdown and HTML reports show, so papers and scripts read the same figures.
 * FSR statistics are over scored runs only (complete, with an FSR); `runs - scored` were aborted, failed or unscored.
 */

const Num = z.number().nullable();

export const IntegrityCounts = z.object({
  status: IntegrityStatus,
  verified: z.number().int(),
  unverified: z.number().int(),
  flagged: z.number().int(),
  rejected: z.number().int(),
});
export type IntegrityCounts = z.infer<typeof IntegrityCounts>;

export const StatRow = z.object({
  /** The group's name: a hint spec, model, scaffold or configuration label. */
  label: z.string(),
  tasks: z.number().int(),
  runs: z.number().int(),
  scored: z.number().int(),
  mean_fsr: Num,
  iqm_fsr: Num,
  /** 95% stratified-bootstrap percentile CI of the mean (strata = tasks). */
  mean_ci: z.tuple([z.number(), z.number()]).nullable(),
  iqm_ci: z.tuple([z.number(), z.number()]).nullable(),
  /** rliable's median: the median over tasks of each task's mean FSR, with its CI from the same bootstrap. */
  median_fsr: Num,
  median_ci: z.tuple([z.number(), z.number()]).nullable(),
  /** rliable's optimality gap (γ = 1): 1 − mean(min(FSR, 1)) over scored runs; lower is better. */
  optimality_gap: Num,
  optimality_gap_ci: z.tuple([z.number(), z.number()]).nullable(),
  success_rate: Num,
  buggy_share: Num,
  median_best_ms: Num,
  /** Runs re-run by `speedrun verify`, and the mean FSR the re-runs support (a run that did not reproduce counts 0). */
  verified_runs: z.number().int(),
  mean_fsr_verified: Num,
  integrity: IntegrityCounts,
});
export type StatRow = z.infer<typeof StatRow>;

export const Configuration = z.object({ label: z.string(), hint: z.string(), model: z.string(), scaffold: z.string() });
export type Configuration = z.infer<typeof Configuration>;

export const MatrixCell = z.object({ task: z.string(), hint: z.string(), mean_fsr: Num, scored: z.number().int() });
export const StepPoint = z.object({ configuration: z.string(), step: z.number().int(), mean_fsr: z.number(), runs: z.number().int() });
export type StepPoint = z.infer<typeof StepPoint>;

export const RankingRow = z.object({
  configuration: z.string(),
  sco_rank: z.number().int(),
  sco_rating: z.number(),
  mean_rank: z.number().int().nullable(),
  mean_fsr: Num,
});
export type RankingRow = z.infer<typeof RankingRow>;

export const OutcomeRow = z.object({
  configuration: z.string(),
  /** Agent nodes (the baseline excluded) of every run of the configuration. */
  nodes: z.number().int(),
  buggy: z.number().int(),
  missed_target: z.number().int(),
  valid_no_gain: z.number().int(),
  improved: z.number().int(),
  /** Stopped by a Ctrl-C or a budget before they ended. */
  aborted: z.number().int(),
});
export type OutcomeRow = z.infer<typeof OutcomeRow>;

export const CostRow = z.object({
  configuration: z.string(),
  runs: z.number().int(),
  llm_calls: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  /** Null when some call had no known price: a partial sum would understate the cost. */
  cost_usd: Num,
  /** Wall-clock hours of the nodes trained here. */
  compute_hours: z.number(),
  /** compute_hours × GPUs per node from bench.json; 0 on CPU benches, null when no bench.json records it. */
  gpu_hours: Num,
  /** FSR summed over scored runs: the denominator of the per-FSR costs (null when it is 0). */
  fsr_total: z.number(),
  tokens_per_fsr: Num,
  usd_per_fsr: Num,
  gpu_hours_per_fsr: Num,
});
export type CostRow = z.infer<typeof CostRow>;

/** score/diff-overlap.ts: how much of the true change (record i → i+1) the best node made, by changed code lines. */
export const DiffOverlap = z.object({
  recall: z.number(),
  /** Null when the best node changed no code line ("no change"). */
  precision: Num,
  f1: z.number(),
  hunks_reproduced: z.number().int(),
  hunks_total: z.number().int(),
  true_lines: z.number().int(),
  node_lines: z.number().int(),
  matched_lines: z.number().int(),
});
export type DiffOverlap = z.infer<typeof DiffOverlap>;

/** A run's reproduction measures; later ones (judge score, embedding distance, idea entropy) join as optional fields. */
export const RunReproduction = z.object({
  diff_overlap: DiffOverlap.nullable(),
  /** Why diff_overlap is null (no best node, a script not in the catalog, …), or "no change" when the best node changed nothing. */
  diff_overlap_note: z.string().nullable(),
  /** `speedrun ideas`: the entropy (bits) of the first drafts' idea classes; absent or null when not classified. */
  idea_entropy: Num.optional(),
  ...RunDistance.shape,
});
export type RunReproduction = z.infer<typeof RunReproduction>;

/**
 * Reproduction measures per configuration (task null) or per configuration and task: means over the runs that have
 * each measure. A measure no run of the report has is left out of the tables (its column appears once some run has it).
 */
export const ReproductionRow = z.object({
  configuration: z.string(),
  task: z.string().nullable(),
  runs: z.number().int(),
  /** Runs with a diff overlap; mean_precision is over those whose best node changed something. */
  diff_overlap_runs: z.number().int(),
  mean_recall: Num,
  mean_precision: Num,
  mean_f1: Num,
  hunks_reproduced: z.number().int(),
  hunks_total: z.number().int(),
  /** Why runs have no diff overlap, each reason once (e.g. "n/a (record 4's script not in the catalog)"); null when all have one. */
  diff_overlap_note: z.string().nullable(),
  /** Runs with an idea entropy (`speedrun ideas`), and its mean over them. */
  idea_runs: z.number().int().default(0),
  mean_idea_entropy: Num.default(null),
  ...DistanceMeans.shape,
});
export type ReproductionRow = z.infer<typeof ReproductionRow>;

export const RunRow = z.object({
  run_id: z.string(),
  track: z.string(),
  record: z.number(),
  hint: z.string(),
  agent: z.string(),
  model: z.string(),
  scaffold: z.string(),
  seed: z.number().int(),
  status: z.string(),
  scored: z.boolean(),
  fsr: Num,
  best_node: Num,
  best_ms: Num,
  baseline_ms: z.number(),
  target_ms: z.number(),
  times_from: z.string(),
  /** How the run read every time: final (last val line ≤ target) or first-crossing; null for runs made before tracks declared one. */
  timing_rule: z.string().nullable(),
  target_val_loss: Num,
  /** Where the claimed FSR took its times: both / baseline (a scoring round in the run) or none. */
  retime: z.string(),
  nodes: z.number().int(),
  buggy_nodes: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  cost_usd: Num,
  compute_hours: z.number(),
  gpu_hours: Num,
  integrity: IntegrityStatus,
  integrity_notes: z.string(),
  diff_overlap: DiffOverlap.nullable().default(null),
  diff_overlap_note: z.string().nullable().default('not looked up'),
  /** `speedrun judge`'s reproducibility score of the best node (0–1) and the judge model; null when not judged. */
  judge_score: Num.default(null),
  judge_model: z.string().nullable().default(null),
  /** `speedrun ideas`: Shannon entropy (bits) of the first K drafts' idea classes, and K as classified; null when not classified. */
  idea_entropy: Num.default(null),
  idea_drafts: z.number().int().nullable().default(null),
  /** `speedrun distance`'s embedding distances of the best node to records i and i+1; null when not measured. */
  ...RunDistance.shape,
});
export type RunRow = z.infer<typeof RunRow>;

export const Report = z.object({
  version: z.literal(1),
  generated_at: z.string(),
  sources: z.array(z.string()),
  statistics: z.object({ bootstrap_reps: z.number().int(), seed: z.number().int(), level: z.number() }),
  totals: z.object({
    runs: z.number().int(),
    scored: z.number().int(),
    tasks: z.number().int(),
    configurations: z.number().int(),
    integrity: IntegrityCounts,
  }),
  by_hint: z.array(StatRow),
  by_model: z.array(StatRow),
  by_scaffold: z.array(StatRow),
  by_configuration: z.array(StatRow),
  configurations: z.array(Configuration),
  matrix: z.object({ tasks: z.array(z.string()), hints: z.array(z.string()), cells: z.array(MatrixCell) }),
  steps: z.array(StepPoint),
  ranking: z.array(RankingRow),
  outcomes: z.array(OutcomeRow),
  /** The paper's node types (buggy / no improvement / improved) over the first k agent nodes, per configuration. */
  node_types: z.array(NodeTypeRow).default([]),
  /** The σ_i behind node_types' "no improvement" (slower than t_i + σ_i), per task and time source. */
  time_spreads: z.array(TimeSpreadRow).default([]),
  costs: z.array(CostRow),
  /** How much of each record's true change the runs made (diff overlap), per configuration and per configuration × task. */
  reproduction: z
    .object({
      by_configuration: z.array(ReproductionRow),
      by_task: z.array(ReproductionRow),
      /** FSR fitted on `speedrun distance`'s distance to record i+1; null when no run has a distance. */
      distance_fit: DistanceFit.nullable().default(null),
    })
    .default({ by_configuration: [], by_task: [], distance_fit: null }),
  runs: z.array(RunRow),
  /** The steps of the chains among the runs (`speedrun chain`); [] when there are none. */
  chains: z.array(ChainRow).default([]),
  /** `speedrun report --paper`: the paper's aggregation beside its published figures; null without --paper. */
  paper: PaperSection.nullable().default(null),
  /** `speedrun judge`'s scores per configuration and against FSR; null when no run was judged. */
  judge: JudgeReport.nullable().default(null),
  /** `speedrun ideas`' entropy per configuration, its relation to FSR and the class counts; null when no run was classified. */
  ideas: IdeasReport.nullable().default(null),
});
export type Report = z.infer<typeof Report>;
