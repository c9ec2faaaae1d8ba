import { EXECUTOR_NAMES } from '../exec/types.js';
import { z } from 'zod';
import { BudgetLimits } from '../agent/budget.js';
import { EDIT_FORMATS } from '../agent/edits/edit-format.js';
import { RetimeMode, TrackName } from '../catalog/schema.js';
import { ScaffoldSpec } from '../search/scaffolds/index.js';

/**
 * An agent of the matrix: a bare name (`reference`, `null`), an LLM with its model and overrides, or an exec agent
 * with its command (docs/agent-protocol.md).
 */
export const AgentEntry = z.union([
  z.string().min(1),
  z.strictObject({
    name: z.string().min(1),
    model: z.string().min(1).optional(),
    base_url: z.string().url().optional(),
    edit_format: z.enum(EDIT_FORMATS).optional(),
    replay: z.string().optional(),
    /** exec: the command run in each node's workspace, its time limit, and variables passed on by name. */
    cmd: z.string().min(1).optional(),
    timeout_s: z.number().positive().optional(),
    env: z.array(z.string().min(1)).optional(),
    /** exec with executor docker: the image the command's container is made from (default speedrun/agent:1). */
    image: z.string().min(1).optional(),
    /** A coding CLI preset (qwen-code): the CLI's path; default: the tested version installed under the cache. */
    cli: z.string().min(1).optional(),
  }),
]);
export type AgentEntry = z.infer<typeof AgentEntry>;

/**
 * A bench: the matrix tracks × records × hints × agents × scaffolds × seeds, and how to run it. The same spec is
 * kept in bench.json, so a re-run on the same folder can tell a resume from a different bench.
 */
export const BenchSpec = z.strictObject({
  tracks: z.array(TrackName).min(1).default(['tiny']),
  /** Task records, as a range string per track ("1-3,5") or a list. */
  records: z.union([z.string().min(1), z.array(z.number().int().positive()).min(1)]),
  hints: z.array(z.string().min(1)).min(1).default(['none']),
  agents: z.array(AgentEntry).min(1).default(['reference']),
  scaffolds: z.array(ScaffoldSpec).min(1).default(['flat']),
  /** Node cap for every scaffold (default: each scaffold's own). */
  nodes: z.number().int().positive().optional(),
  /** A number N means seeds 1..N; a list names them. */
  seeds: z.union([z.number().int().positive(), z.array(z.number().int().nonnegative()).min(1)]).default(1),
  executor: z.enum(EXECUTOR_NAMES).default('local'),
  /** CPU training slots of the executor (one node trains per slot) when no GPUs are asked for. */
  slots: z.number().int().positive().default(1),
  /** GPUs to train on ("0-7"); each node gets gpus_per_run of them (default 1), never shared. */
  gpus: z.string().min(1).optional(),
  gpus_per_run: z.number().int().positive().optional(),
  /** Runs in progress at once. */
  parallel: z.number().int().positive().default(1),
  /** Kill a node's training after this long (default: the track's). */
  timeout_s: z.number().positive().optional(),
  /** Per run: stop creating nodes after this much wall time. */
  time_budget_s: z.number().positive().optional(),
  /** Per run LLM budget. */
  budget: BudgetLimits.optional(),
  /** false: node scripts are not audited for tampering (--no-integrity-check; every score is flagged). */
  integrity_check: z.boolean().default(true),
  /** Where each run's claimed FSR takes its times (README "Timing and scoring"); default: each track's own. */
  retime: RetimeMode.optional(),
  /** Repeats of each script in a run's scoring round; default: each track's own. */
  retime_repeats: z.number().int().positive().optional(),
  /** true: the LLM agents' prompts state the next record's time (hidden by default, as the paper's agents were not told it). */
  reveal_target_time: z.boolean().default(false),
  /**
   * true: the records are the consecutive steps of one chain (README "Chains"): each run starts from the best script
   * of the run before it instead of its record's own script, so the runs go one after another. Absent: a bench.
   */
  chain: z.boolean().optional(),
});
export type BenchSpec = z.infer<typeof BenchSpec>;
export type BenchSpecInput = z.input<typeof BenchSpec>;
