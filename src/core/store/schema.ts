import { z } from 'zod';
import { NodeAuditSchema } from '../measure/integrity-report.js';
import { RetimeMode, TimingRule } from '../catalog/schema.js';
import { Scoring } from './scoring-schema.js';

/**
 * How a node ended. `missed-target` ran fine but never reached the target: valid-but-slow. `edit-failed` (the
 * agent's edit never applied), `agent-error` (the LLM call failed for good) and `agent-failed` (an exec agent's
 * command failed, timed out or left no script) never produced a script to run.
 * `rejected`: the integrity check found a change to the measurement itself (docs/architecture.md, "Measurement"), so the script was
 * not trained and no number of it may count.
 */
export const NodeStatus = z.enum([
  'ok',
  'crashed',
  'timeout',
  'no-metric',
  'missed-target',
  'edit-failed',
  'agent-error',
  'agent-failed',
  'aborted',
  'rejected',
]);
export type NodeStatus = z.infer<typeof NodeStatus>;

/**
 * Buggy nodes are candidates for debugging; a valid node that misses the target is slow, not buggy. A rejected
 * node printed no metric that counts, so it is buggy too: a debug step may take the tampering out again.
 */
export const BUGGY_STATUSES: readonly NodeStatus[] = ['crashed', 'timeout', 'no-metric', 'edit-failed', 'agent-error', 'agent-failed', 'rejected'];

export const LlmUsage = z.object({
  llm_calls: z.number().int().nonnegative(),
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  cost_usd: z.number().nullable(),
});
export type LlmUsage = z.infer<typeof LlmUsage>;

export const NodeResult = z.object({
  node: z.number().int().nonnegative(),
  parent: z.number().int().nonnegative().nullable(),
  operator: z.enum(['baseline', 'draft', 'improve', 'debug', 'crossover']),
  /** A crossover's second parent; null for every other operator. */
  second_parent: z.number().int().nonnegative().nullable(),
  status: NodeStatus,
  /**
   * Where the numbers come from: a training run here, a calibration, the record table, an identical earlier node,
   * or nothing: the agent produced no script (not-run), or the integrity check rejected it before training.
   */
  measured_by: z.enum(['executed', 'calibration', 'record-table', 'duplicate', 'not-run', 'integrity-check']),
  duplicate_of: z.number().int().nonnegative().nullable(),
  script_sha256: z.string().nullable(),
  /** The agent's one-line account of its change. */
  note: z.string().nullable(),
  /** Why the node has no script (edit-failed, agent-error, agent-failed), in words a user can act on. */
  error: z.string().nullable(),
  /** The LLM calls spent on this node (proposal, edit retries, log analysis). */
  llm: LlmUsage.nullable(),
  time_to_target_ms: z.number().nullable(),
  /** The validation loss on the line that reached the target. */
  val_loss_at_target: z.number().nullable(),
  final: z.object({ step: z.number(), total_steps: z.number().nullable(), val_loss: z.number(), train_time_ms: z.number().nullable() }).nullable(),
  wall_ms: z.number().nullable(),
  /**
   * Wall time to the first step and per later step (measure/step-pace.ts); null where lines were not seen as they
   * were printed (Slurm reads a file) or no step line came; absent in older results.
   */
  pace: z.object({ first_step_ms: z.number(), per_step_ms: z.number().nullable() }).nullable().optional(),
  /** When the training started and ended (ISO); absent for nodes not trained here and in older results. */
  started_at: z.string().optional(),
  ended_at: z.string().optional(),
  exit_code: z.number().nullable(),
  stderr_tail: z.string(),
  warnings: z.array(z.string()),
  /**
   * The integrity audit of the node's script against the run's baseline record, with the harness's clock
   * cross-check; null when nothing was checked (the baseline itself, a node without a script, older results).
   */
  integrity: NodeAuditSchema.nullable().default(null),
});
export type NodeResult = z.infer<typeof NodeResult>;

/** The scaffold's decision for a node, written before anything else of it. */
export const NodeMeta = z.object({
  node: z.number().int().nonnegative(),
  parent: z.number().int().nonnegative().nullable(),
  second_parent: z.number().int().nonnegative().nullable(),
  operator: NodeResult.shape.operator,
  /** Who wrote the node's script: the run's agent, or a person through the terminal UI. */
  by: z.enum(['agent', 'human']).default('agent'),
  /**
   * A training an exec agent asked for while it wrote node N (docs/agent-protocol.md, "Experiments"): a node of its
   * own, beside N (same parent and operator), measured and scored like any other. Absent for every other node.
   */
  experiment_of: z.number().int().nonnegative().optional(),
  /**
   * An experiment asked with `--smoke N`: it trains its script rewritten to N steps, a quick check whose time is not
   * the script's, so it is never scored (train-node.ts). Absent for every other node.
   */
  smoke_steps: z.number().int().positive().optional(),
});
export type NodeMeta = z.infer<typeof NodeMeta>;

/** Written once a node's script is complete on disk. */
export const ProposalRecord = z.object({ note: z.string() });
export type ProposalRecord = z.infer<typeof ProposalRecord>;

/**
 * Where a chain's step starts (README "Chains"): node 0 holds record i's own script (step 0), the previous step's best
 * node (`best`), or, when that step ended with no valid best node, the script the previous step itself started from
 * (`carried`, its node 0). `file` is the copy in the chain's folder the run read it from (null for a record's script).
 */
export const ChainStart = z.object({
  step: z.number().int().nonnegative(),
  from: z.enum(['record', 'best', 'carried']),
  run_id: z.string().nullable(),
  node: z.number().int().nonnegative().nullable(),
  file: z.string().nullable(),
  sha256: z.string(),
});
export type ChainStart = z.infer<typeof ChainStart>;

export const RunConfig = z.object({
  run_id: z.string(),
  track: z.string(),
  record: z.number().int().positive(),
  hint: z.string(),
  agent: z.string(),
  executor: z.string(),
  python: z.string().nullable(),
  torch_version: z.string().nullable(),
  /** The agent's settings (model, endpoint, edit format, ...) and the prompt set's version and hash; never keys. */
  agent_config: z.record(z.string(), z.unknown()),
  budget: z.record(z.string(), z.number()),
  scaffold: z.record(z.string(), z.unknown()),
  seed: z.number().int(),
  /** A smoke run trains every node rewritten to this many steps: an installation check, never scored. */
  smoke: z.number().int().positive().nullable().optional(),
  /** False when the run was made with --no-integrity-check: its scripts were never audited (absent: audited). */
  integrity_check: z.boolean().optional(),
  /** How every time of the run is read: the task's target and the track's rule (absent in older runs: first crossing). */
  timing_rule: TimingRule.optional(),
  target_val_loss: z.number().optional(),
  /** Where the claimed FSR takes its times (README "Timing and scoring"), and the scoring round's repeats; absent: none. */
  retime: RetimeMode.optional(),
  retime_repeats: z.number().int().positive().optional(),
  /**
   * Whether the agent's prompts state the next record's time (--reveal-target-time). Absent: a run from before the
   * option, whose prompts (v1) always stated it.
   */
  reveal_target_time: z.boolean().optional(),
  /** A step of a chain (absent: a run of its own, starting from record i): what its node 0 holds. */
  chain: ChainStart.optional(),
  created_at: z.string(),
});
export type RunConfig = z.infer<typeof RunConfig>;

/** Whether a run's prompts state the next record's time; runs recorded before the option always did. */
export function revealsTargetTime(config: Pick<RunConfig, 'reveal_target_time'>): boolean {
  return config.reveal_target_time ?? true;
}

/** The object `speedrun run --json` prints and run.json keeps (beside the config). */
export const RunSummary = z.object({
  run_id: z.string(),
  track: z.string(),
  record: z.number(),
  hint: z.string(),
  agent: z.string(),
  /** The model behind an `llm` or `replay` agent; null for the built-in agents. */
  model: z.string().nullable(),
  scaffold: z.string(),
  seed: z.number().int(),
  /** budget-exhausted: the LLM budget ran out; the nodes before that are kept and scored. aborted and failed runs resume. */
  status: z.enum(['finished', 'failed', 'aborted', 'budget-exhausted']),
  /** Why the search stopped before its scaffold was done (wall-clock or LLM budget), else null. */
  stop_reason: z.string().nullable(),
  baseline_ms: z.number(),
  target_ms: z.number(),
  /**
   * calibration: measured on this machine by `speedrun calibrate`; record-table: the manifest's reference times;
   * run: both measured in this run's scoring round (retime both); run+calibration / run+record-table: t_i measured
   * in the run and t_i+1 = t_i × the ratio t_i+1/t_i of calibration or the record table (retime baseline).
   * `scoring` says which measurement each time is, and when it was made.
   */
  times_from: z.enum(['calibration', 'record-table', 'run', 'run+calibration', 'run+record-table']),
  /**
   * train_time_ms is the t* the score used (with re-timing: the best node's median in the scoring round), so
   * fsr = (baseline_ms − t*) / (baseline_ms − target_ms). val_loss is null when the best node is the baseline
   * timed by calibration or the record table.
   */
  best: z.object({ node: z.number(), train_time_ms: z.number(), val_loss: z.number().nullable() }).nullable(),
  fsr: z.number().nullable(),
  fsr_flags: z.array(z.string()),
  /**
   * A node faster than `best` that the integrity audit flagged: never the claimed score (README "Integrity"), shown
   * beside it with its own FSR against the same times, until `speedrun verify` re-runs it in fresh folders.
   */
  flagged_best: z
    .object({ node: z.number(), train_time_ms: z.number(), val_loss: z.number().nullable(), fsr: z.number().nullable(), flags: z.array(z.string()) })
    .nullable()
    .default(null),
  /** The timing rule and target every time above was read by (absent in runs made before tracks declared one). */
  timing_rule: TimingRule.optional(),
  target_val_loss: z.number().optional(),
  /** Which times the score used, where each came from and when it was measured (absent in older runs). */
  scoring: Scoring.optional(),
  /** Nodes the integrity audit rejected (never best, never scored) and nodes it flagged for a human to look at. */
  integrity: z.object({ rejected: z.array(z.number().int()), flagged: z.array(z.number().int()) }).default({ rejected: [], flagged: [] }),
  /** Finished nodes, the baseline included. */
  nodes: z.number().int(),
  usage: LlmUsage,
  results_dir: z.string(),
});
export type RunSummary = z.infer<typeof RunSummary>;

/** run.json: the config from the start, the summary once the run ends (null while it runs). */
export const RunFile = z.object({ config: RunConfig, result: RunSummary.nullable().default(null) });
export type RunFile = z.infer<typeof RunFile>;
