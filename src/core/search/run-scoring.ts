import { readFile } from 'node:fs/promises';
import { recordKernelFiles } from '../data/record-kernels.js';
import { getRecord, resolveRecordScript } from '../catalog/catalog.js';
import type { RetimeMode } from '../catalog/schema.js';
import type { CacheLayout } from '../paths.js';
import type { TimedRun } from '../store/scoring-schema.js';
import type { NodeResult } from '../store/schema.js';
import type { NodeContext } from './node-context.js';
import type { SearchTree } from './search-tree.js';
import { claimedBest } from './best-node.js';
import { scoringRound } from './scoring-round.js';

/** A run's re-timing (README "Timing and scoring"): which times it measures itself, and how many repeats of each. */
export interface RetimeSetting {
  mode: RetimeMode;
  repeats: number;
}

/** Node 0 as this run trained it (re-timing runs), else null (timed by calibration or the record table). */
export function executedBaseline(tree: SearchTree): NodeResult | null {
  const node0 = tree.byId(0)?.result;
  return node0?.measured_by === 'executed' ? node0 : null;
}

/**
 * A round is needed when the run re-times and its best node is something other than record i: a best node that
 * is node 0 (nothing beat it, or every node meant the same as it) scores exactly 0 without one, unless node 0 is a
 * chain's own start script (`ownStart`), which is timed against record i like any other node.
 */
export function roundNeeded(retime: RetimeSetting, nodes: readonly NodeResult[], ownStart = false): boolean {
  if (retime.mode === 'none') return false;
  const best = claimedBest(nodes);
  return best !== null && (best.node !== 0 || ownStart);
}

/** Trains the scoring round of the run's best node on the run's executor and slots (resuming one in progress). */
export async function runScoringRound(
  ctx: NodeContext,
  input: { retime: RetimeSetting; best: NodeResult; baselineScript: string; cache: CacheLayout; runDir: string },
): Promise<TimedRun[]> {
  const mode = input.retime.mode as Exclude<RetimeMode, 'none'>;
  // A duplicate's measurement, and so its script's meaning, is the node it copies.
  const script = ctx.tree.byId(input.best.node)?.script;
  if (!script) throw new Error(`best node ${input.best.node} has no script to score`);
  const next = mode === 'both' ? getRecord(ctx.manifest, ctx.record + 1).number : null;
  const nextScript = next === null ? null : await readFile(await resolveRecordScript(ctx.manifest, next, input.cache), 'utf8');
  // Record i+1 trains beside its own kernel files (2026 records change them), not record i's.
  const nextBesideScript = next === null ? undefined : await recordKernelFiles(ctx.manifest, [next], input.cache);
  ctx.emit({ type: 'scoring-started', run_id: ctx.runId, best_node: input.best.node, retime: mode, repeats: input.retime.repeats });
  return scoringRound({
    runId: ctx.runId,
    runDir: input.runDir,
    retime: mode,
    repeats: input.retime.repeats,
    best: { node: input.best.node, script },
    baselineScript: input.baselineScript,
    nextScript,
    ...(nextBesideScript ? { nextBesideScript } : {}),
    executor: ctx.executor,
    slots: ctx.slots,
    launch: ctx.launch,
    timing: ctx.timing,
    signal: ctx.signal,
    emit: ctx.emit,
  });
}
