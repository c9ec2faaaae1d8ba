import type { RetimeMode } from '../catalog/schema.js';
import { median } from '../score/stats.js';
import { fsr } from '../score/fsr.js';
import type { Scoring, TimedRun, TimeSource } from '../store/scoring-schema.js';
import type { NodeResult, RunSummary } from '../store/schema.js';
import type { TaskTimes } from '../calibrate/task-times.js';

/** The claimed score and the times behind it (README "Timing and scoring"). */
export interface RunScore {
  baselineMs: number;
  targetMs: number;
  timesFrom: RunSummary['times_from'];
  best: RunSummary['best'];
  fsr: number | null;
  /** Why there is no score, or what a reader should know about the times. */
  flags: string[];
  scoring: Scoring;
}

export interface RunScoreInput {
  retime: RetimeMode;
  /** Repeats of the scoring round, as configured. */
  repeats: number;
  /** Times known before the run: calibration or the record table. */
  reference: TaskTimes;
  /** The best valid node of the search (the baseline counts), or null when none reached the target. */
  best: NodeResult | null;
  /** Node 0 as this run measured it (retime both/baseline), else null. */
  baselineNode: NodeResult | null;
  /** The scoring round's trainings; null when no round ran (retime none, or the best node is record i itself). */
  round: TimedRun[] | null;
}

/**
 * With retime none: t_i and t_{i+1} from calibration or the record table, t* the best node's own measurement.
 * With a round: each time is the median of its repeats in the round (retime baseline: t_{i+1} = t_i × r, r from
 * calibration or the record table). A best node that is record i itself (the null agent, a no-op edit) scores
 * exactly 0 without a round. Every number says where it came from.
 */
export function scoreRun(input: RunScoreInput): RunScore {
  const { reference: ref, best } = input;
  const ratio = ref.targetMs / ref.baselineMs;
  const known = (ms: number): TimeSource => ({ from: ref.from, ms, measured_at: ref.measuredAt, detail: ref.detail, runs: [] });
  if (input.retime === 'none' || input.baselineNode === null) {
    const bestSource = best === null ? null : best.node === 0 && best.measured_by !== 'executed' ? known(best.time_to_target_ms!) : searchTime(best);
    return {
      baselineMs: ref.baselineMs,
      targetMs: ref.targetMs,
      timesFrom: ref.from,
      best: best && { node: best.node, train_time_ms: best.time_to_target_ms!, val_loss: best.val_loss_at_target },
      fsr: best ? fsr(ref.baselineMs, ref.targetMs, best.time_to_target_ms) : null,
      flags: [],
      scoring: {
        retime: input.retime,
        repeats: 0,
        note: null,
        baseline: known(ref.baselineMs),
        next: known(ref.targetMs),
        ratio: null,
        best: bestSource && { ...bestSource, node: best!.node },
      },
    };
  }

  const timesFrom = `run+${ref.from}` as const;
  const scaled = (ms: number): TimeSource => ({
    from: ref.from,
    ms: ms * ratio,
    measured_at: ref.measuredAt,
    detail: `t_i × t_i+1/t_i (${ratio.toFixed(4)}, ${ref.detail})`,
    runs: [],
  });
  if (input.round === null) {
    // No round: nothing beat record i as measured in this run, so the score is exactly 0 (or there is none).
    const node0 = input.baselineNode;
    const b = node0.status === 'ok' ? node0.time_to_target_ms : null;
    const baseline = { ...searchTime(node0), ms: b };
    const note =
      best === null
        ? 'no node reached the target'
        : 'the best node is record i itself (node 0, or a script that means the same): FSR 0 without a scoring round';
    return {
      baselineMs: b ?? ref.baselineMs,
      targetMs: (b ?? ref.baselineMs) * ratio,
      timesFrom,
      best: best && { node: best.node, train_time_ms: best.time_to_target_ms!, val_loss: best.val_loss_at_target },
      fsr: best ? 0 : null,
      flags: [],
      scoring: { retime: input.retime, repeats: 0, note, baseline, next: scaled(b ?? ref.baselineMs), ratio, best: best && { ...baseline, node: best.node } },
    };
  }

  const round = input.round;
  const source = (which: TimedRun['script']): TimeSource => {
    const runs = round.filter((r) => r.script === which);
    const times = runs.map((r) => (r.status === 'ok' ? r.time_ms : null));
    const ms = times.length > 0 && times.every((t) => t !== null) ? median(times as number[]) : null;
    return {
      from: 'run',
      ms,
      measured_at: runs[0]?.started_at ?? null,
      detail: `median of ${runs.length} interleaved repeats in this run's scoring round`,
      runs,
    };
  };
  const baseline = source('baseline');
  const bestTimes = source('best');
  const next = input.retime === 'both' ? source('next') : scaled(baseline.ms ?? ref.baselineMs);
  const flags: string[] = [];
  for (const [what, t] of [
    ['record i', baseline],
    ['the best node', bestTimes],
    ['record i+1', next],
  ] as const) {
    if (t.ms === null) flags.push(`${what} did not reach the target in every repeat of the scoring round: no score`);
  }
  let score: number | null = null;
  if (baseline.ms !== null && bestTimes.ms !== null && next.ms !== null) {
    if (baseline.ms <= next.ms)
      flags.push(
        `in the scoring round record i+1 (${Math.round(next.ms)} ms) was not faster than record i (${Math.round(baseline.ms)} ms): no speedup to recover on this machine`,
      );
    else score = fsr(baseline.ms, next.ms, bestTimes.ms);
    if (bestTimes.ms >= baseline.ms)
      flags.push(`in the scoring round the best node (${Math.round(bestTimes.ms)} ms) was not faster than record i (${Math.round(baseline.ms)} ms)`);
  }
  return {
    baselineMs: baseline.ms ?? ref.baselineMs,
    targetMs: next.ms ?? ref.targetMs,
    timesFrom: input.retime === 'both' ? 'run' : timesFrom,
    best: best && { node: best.node, train_time_ms: bestTimes.ms ?? best.time_to_target_ms!, val_loss: best.val_loss_at_target },
    fsr: score,
    flags,
    scoring: {
      retime: input.retime,
      repeats: input.repeats,
      note: null,
      baseline,
      next,
      ratio: input.retime === 'baseline' ? ratio : null,
      best: { ...bestTimes, node: best!.node },
    },
  };
}

/** A node's own measurement in the search (a duplicate carries the one it copies). */
function searchTime(node: NodeResult): TimeSource {
  const measured = node.started_at !== undefined && node.ended_at !== undefined;
  const from = node.duplicate_of === null ? `node ${node.node}` : `node ${node.duplicate_of} (node ${node.node} means the same)`;
  return {
    from: 'run',
    ms: node.time_to_target_ms,
    measured_at: node.started_at ?? null,
    detail: `${from}'s training in this run's search`,
    runs: measured
      ? [
          {
            script: node.node === 0 ? 'baseline' : 'best',
            repeat: 1,
            dir: `nodes/${node.duplicate_of ?? node.node}`,
            started_at: node.started_at!,
            ended_at: node.ended_at!,
            status: node.status,
            time_ms: node.time_to_target_ms,
            final_val_loss: node.final?.val_loss ?? null,
            wall_ms: node.wall_ms,
          },
        ]
      : [],
  };
}
