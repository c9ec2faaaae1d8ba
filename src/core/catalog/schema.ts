import { z } from 'zod';

/**
 * Manifests in records/<track>.json and hints/<track>.json. They hold figures only (times, dates, paths,
 * hashes); for upstream tracks the files themselves come from `speedrun records sync`.
 */

export const TrackName = z.enum(['nanogpt', 'nanogpt-modern', 'tiny']);
export type TrackName = z.infer<typeof TrackName>;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256');

export const FileRef = z.object({
  /** Relative to the package root for bundled tracks, to the upstream repository for upstream tracks. */
  path: z.string().min(1),
  sha256: Sha256,
  /** Zero is real: upstream's level-0 diff of record 6 (a pure PyTorch upgrade) is an empty file. */
  bytes: z.number().int().nonnegative().optional(),
});
export type FileRef = z.infer<typeof FileRef>;

export const TrackSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bundled') }),
  z.object({
    kind: z.literal('upstream'),
    repo: z.string().url(),
    commit: z.string().regex(/^[0-9a-f]{40}$/),
    license: z.string(),
  }),
]);
export type TrackSource = z.infer<typeof TrackSource>;

export const RecordEntry = z.object({
  number: z.number().int().positive(),
  description: z.string().min(1),
  /** ISO date (YYYY-MM-DD) the record was set. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** Reference time to the target on the track's reference hardware; FSR uses it unless calibrated. */
  time_ms: z.number().positive(),
  /** Where time_ms comes from, in words (e.g. "paper authors' re-measurement on 8xH100"). */
  time_source: z.string(),
  /** The public leaderboard's time, where it differs from time_ms. */
  readme_time_ms: z.number().positive().optional(),
  /**
   * The run-to-run standard deviation behind time_ms (nanogpt: the paper authors' 3 runs), the σ_i of the paper's
   * node types ("no improvement": slower than t_i + σ_i). Absent: read from the times listed in time_source.
   */
  time_sd_ms: z.number().nonnegative().optional(),
  script: FileRef,
  /** Excluded from the task list (e.g. the paper drops record 6's task: an empty diff). */
  task_excluded: z.string().optional(),
  /**
   * torchrun records: the process (GPU) counts its script trains the record's own algorithm with. Scripts that
   * accumulate gradients keep the global batch on fewer GPUs; those that assert or hard-code 8 processes do not.
   * Absent: only the track's launch.nproc.
   */
  gpu_counts: z.array(z.number().int().positive()).min(1).optional(),
  /** The container image (by name in src/core/exec/docker/images.ts) with the PyTorch of the record's era. */
  image: z.string().optional(),
  /**
   * Tracks with downloaded data (nanogpt): how many train shards the record's script reads on the reference
   * hardware, from its num_iterations and global batch tokens, rounded up with one shard of margin
   * (see trainShardsForRun). `speedrun data prepare` downloads the largest figure by default.
   */
  train_shards: z.number().int().positive().optional(),
  /**
   * The record's own validity threshold, where it differs from the track's (nanogpt record 3's own final line is
   * 3.2813). A task's target is the looser of its two records' (taskTiming); only on `final` tracks, where the
   * target decides whether a run is valid and never what its time is.
   */
  target_val_loss: z.number().positive().optional(),
  /** Why the record has its own target, in words (shown by `records show`). */
  target_why: z.string().optional(),
  /**
   * Log-recovered tracks (nanogpt-modern): the upstream log the script is recovered from. `script` and `kernels`
   * are then not upstream files but texts cut out of this log by `records sync` (log-script.ts); their paths are
   * under `recovered/` in the synced folder and their sha256 are those of the recovered texts.
   */
  log: FileRef.optional(),
  /** Kernel files the log embeds after the script (triton_kernels.py, ...), placed beside the script. */
  kernels: z.array(FileRef).optional(),
  /** The PyTorch version the log prints (its `Running PyTorch ...` line). */
  torch: z.string().optional(),
  /** GPUs in the log's nvidia-smi table: the machine the log was written on (not always the record's 8). */
  log_gpus: z.number().int().positive().optional(),
  /**
   * Why `image` is not the exact build the log ran (a nightly the wheel index no longer has, another CUDA build):
   * the record runs in an approximate environment (`records show` says so; docker/torch-eras.ts decides).
   */
  approximate_env: z.string().optional(),
  /** The peak GPU memory per process the record's log prints (reserved where it says), MiB; the doctor compares it. */
  peak_memory_mib: z.number().int().positive().optional(),
  /** Earlier rows of the public table for the same record number (re-timed under changed rules). */
  earlier_rows: z.array(z.object({ date: z.string(), readme_time_ms: z.number().positive(), description: z.string(), log: z.string().optional() })).optional(),
});
export type RecordEntry = z.infer<typeof RecordEntry>;

/**
 * How a run's time is read from its validation lines (docs/architecture.md, "Measurement"). `final`: the records' own definition, the
 * final validation line must reach the target and its train_time is the time. `first-crossing`: the train_time of
 * the first validation line at or below the target.
 */
export const TimingRule = z.enum(['final', 'first-crossing']);
export type TimingRule = z.infer<typeof TimingRule>;

/**
 * Where a run's claimed FSR gets its times (README "Timing and scoring"). `both`: record i, record i+1 and the best
 * node are trained again, interleaved, at the end of the run, and the score uses those medians; `baseline`: record i
 * and the best node are, and t_{i+1}/t_i comes from calibration or the record table; `none`: calibration or the
 * record table give t_i and t_{i+1} (a dedicated, quiet machine). With `both` and `baseline` node 0 trains in the
 * run too.
 */
export const RetimeMode = z.enum(['both', 'baseline', 'none']);
export type RetimeMode = z.infer<typeof RetimeMode>;

/**
 * The benchmark paper's own analysis files that `records sync` fetches with the scripts (arXiv 2506.22419): the
 * notebook whose saved outputs hold every configuration's per-task best-3 FSRs, so `speedrun report --paper-figures`
 * can recompute the published aggregates.
 */
export const PaperFiles = z.object({
  arxiv: z.string(),
  notebook: FileRef,
});
export type PaperFiles = z.infer<typeof PaperFiles>;

/**
 * A row of the public record table whose script cannot be recovered (no log linked, or a log that does not open
 * with the script): listed by `records list` with the reason, never trained.
 */
export const UnrecoverableRecord = z.object({
  number: z.number().int().positive(),
  description: z.string().min(1),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  readme_time_ms: z.number().positive(),
  reason: z.string().min(1),
  log: FileRef.optional(),
});
export type UnrecoverableRecord = z.infer<typeof UnrecoverableRecord>;

export const TrackManifest = z
  .object({
    track: TrackName,
    title: z.string(),
    target_val_loss: z.number().positive(),
    timing_rule: TimingRule,
    /** The re-timing a run gets unless it asks otherwise (--retime), and how many repeats its scoring round makes. */
    retime: RetimeMode,
    retime_repeats: z.number().int().positive(),
    reference_hardware: z.string(),
    source: TrackSource,
    launch: z.object({
      /** python: `python script.py`; torchrun: `torchrun --standalone --nproc_per_node=N script.py`. */
      runner: z.enum(['python', 'torchrun']),
      nproc: z.number().int().positive(),
      /** Seconds after which a node is killed, unless overridden. */
      timeout_s: z.number().positive(),
    }),
    records: z.array(RecordEntry).min(2),
    /** Upstream tracks whose benchmark paper published figures (nanogpt); synced and verified like the scripts. */
    paper: PaperFiles.optional(),
    /**
     * Absolute path prefixes a record script may read or write (integrity rule absolute_path). Absent: none; a
     * script reads its node folder and the data the NANOGPT_* variables name.
     */
    allowed_paths: z.array(z.string().min(1)).optional(),
    /** Log-recovered tracks: rows of the record table with no recoverable script, each with its reason. */
    unrecoverable: z.array(UnrecoverableRecord).optional(),
  })
  .refine((m) => m.timing_rule === 'final' || m.records.every((r) => r.target_val_loss === undefined), {
    // Under first crossing the target moves the time itself: a record timed at one target and a task scored at
    // another would not compare.
    message: 'a record may have its own target_val_loss only on a track whose timing_rule is final',
    path: ['records'],
  });
export type TrackManifest = z.infer<typeof TrackManifest>;

export const HintLevel = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(9)]);
export type HintLevel = z.infer<typeof HintLevel>;

export const HintKind = z.enum(['diff', 'pseudo', 'description', 'paper', 'extra']);

export const HintEntry = FileRef.extend({
  /** The task: record N's script, aiming for record N+1. */
  record: z.number().int().positive(),
  level: HintLevel,
  kind: HintKind,
});
export type HintEntry = z.infer<typeof HintEntry>;

export const HintManifest = z.object({
  track: TrackName,
  source: TrackSource,
  hints: z.array(HintEntry),
});
export type HintManifest = z.infer<typeof HintManifest>;
