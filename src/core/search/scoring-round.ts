import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { sha256Hex } from '../catalog/files.js';
import { RetimeMode, TimingRule } from '../catalog/schema.js';
import type { Timing } from '../catalog/task-timing.js';
import type { EventSink } from '../events.js';
import type { SlotPool } from '../exec/slot-pool.js';
import type { Executor } from '../exec/types.js';
import { readJsonIfPresent, writeFileAtomic, writeJsonAtomic } from '../fs-atomic.js';
import { NODE_FILES, ROUND_FOLDER } from '../store/layout.js';
import { TimedRun } from '../store/scoring-schema.js';
import type { Launch } from '../exec/node-job.js';
import { executeInSlot } from '../train/execute-node.js';

/**
 * The scoring round (README "Timing and scoring"): at the end of a run, the best node, record i and (retime both)
 * record i+1 train again, `repeats` times each, interleaved on the run's executor and slots, so that all three times
 * come from the same minutes of the same machine and whatever else it was doing weighs on them alike. The order
 * turns by one each repeat (i, best, i+1; best, i+1, i; i+1, i, best; ...): no script always runs first or right
 * after another, so neither a drift of the machine's load nor whatever a training leaves behind for the next one
 * favours one script. Each finished training is on disk before the next starts; a resumed run redoes none.
 */

const ROUND_FILE = 'round.json';

const RoundFile = z.object({
  version: z.literal(1),
  best_node: z.number().int().nonnegative(),
  best_sha256: z.string(),
  retime: RetimeMode,
  repeats: z.number().int().positive(),
  timing_rule: TimingRule,
  target_val_loss: z.number(),
  runs: z.array(TimedRun),
});
type RoundFile = z.infer<typeof RoundFile>;

export interface ScoringRoundInput {
  runId: string;
  runDir: string;
  retime: Exclude<RetimeMode, 'none'>;
  repeats: number;
  best: { node: number; script: string };
  baselineScript: string;
  /** Record i+1's script; needed with retime both. */
  nextScript: string | null;
  /** The files record i+1's script imports from its folder (its kernel files), where they differ from record i's. */
  nextBesideScript?: readonly string[];
  executor: Executor;
  slots: SlotPool;
  launch: Launch;
  timing: Timing;
  signal?: AbortSignal;
  emit?: EventSink;
  now?: () => Date;
}

/** Runs (or finishes) the round and returns every training of it, in the order they ran. */
export async function scoringRound(input: ScoringRoundInput): Promise<TimedRun[]> {
  const dir = join(input.runDir, ROUND_FOLDER);
  const now = input.now ?? (() => new Date());
  const plan: RoundFile = {
    version: 1,
    best_node: input.best.node,
    best_sha256: sha256Hex(input.best.script),
    retime: input.retime,
    repeats: input.repeats,
    timing_rule: input.timing.rule,
    target_val_loss: input.timing.target,
    runs: [],
  };
  const stored = RoundFile.safeParse(await readJsonIfPresent(join(dir, ROUND_FILE)));
  const file = stored.success && sameRound(stored.data, plan) ? stored.data : plan;
  // A round for other settings (or a damaged file) is not this round: its trainings cannot count.
  if (file === plan) await rm(dir, { recursive: true, force: true });

  const scripts = { baseline: input.baselineScript, best: input.best.script, next: input.nextScript };
  const scriptsInRound = input.retime === 'both' ? (['baseline', 'best', 'next'] as const) : (['baseline', 'best'] as const);
  for (let repeat = 1; repeat <= input.repeats; repeat++) {
    for (const which of rotated(scriptsInRound, repeat - 1)) {
      if (file.runs.some((r) => r.script === which && r.repeat === repeat)) continue;
      input.signal?.throwIfAborted();
      const script = scripts[which];
      if (script === null) throw new Error(`the scoring round needs record i+1's script for retime ${input.retime}`);
      const run = await trainOnce(input, dir, which, repeat, script, now);
      if (run === null) {
        input.signal?.throwIfAborted();
        throw new Error(`scoring round: ${which} repeat ${repeat} was stopped`);
      }
      file.runs.push(run);
      await writeJsonAtomic(join(dir, ROUND_FILE), file);
      input.emit?.({ type: 'scoring-repeat', run_id: input.runId, ...run, of: input.repeats });
    }
  }
  return file.runs;
}

/** The scripts of one repeat: the round's order turned by `by` places. */
export function rotated<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function sameRound(a: RoundFile, b: RoundFile): boolean {
  return (
    a.best_node === b.best_node &&
    a.best_sha256 === b.best_sha256 &&
    a.retime === b.retime &&
    a.repeats === b.repeats &&
    a.timing_rule === b.timing_rule &&
    a.target_val_loss === b.target_val_loss
  );
}

/** One training in a fresh folder holding only a copy of its script; null when it was stopped (not a result). */
async function trainOnce(
  input: ScoringRoundInput,
  dir: string,
  which: TimedRun['script'],
  repeat: number,
  script: string,
  now: () => Date,
): Promise<TimedRun | null> {
  const name = `${which}-r${repeat}`;
  const workDir = join(dir, name);
  // Whatever a training that was cut off left here (a process, partial logs) goes before it runs again.
  await input.executor.reclaim?.(workDir);
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  const scriptPath = join(workDir, NODE_FILES.script);
  await writeFileAtomic(scriptPath, script);
  const result = await executeInSlot(input.slots, {
    runId: `${input.runId}-scoring-${which}`,
    node: repeat,
    parent: null,
    operator: which === 'best' ? 'improve' : 'baseline',
    scriptPath,
    scriptSha256: sha256Hex(script),
    workDir,
    executor: input.executor,
    launch: which === 'next' && input.nextBesideScript ? { ...input.launch, besideScript: input.nextBesideScript } : input.launch,
    timing: input.timing,
    signal: input.signal,
    now,
  });
  if (result.status === 'aborted') return null;
  return {
    script: which,
    repeat,
    dir: join(ROUND_FOLDER, name),
    started_at: result.started_at ?? now().toISOString(),
    ended_at: result.ended_at ?? now().toISOString(),
    status: result.status,
    time_ms: result.status === 'ok' ? result.time_to_target_ms : null,
    final_val_loss: result.final?.val_loss ?? null,
    wall_ms: result.wall_ms,
  };
}
