import { join } from 'node:path';
import type { BenchRunEntry, ChainStepEntry } from '../events.js';
import { readJsonIfPresent } from '../fs-atomic.js';
import { withFolderLock } from '../store/folder-lock.js';
import { nodeDirOf, NODE_FILES } from '../store/layout.js';
import { readRunFile } from '../store/run-store.js';
import { NodeResult, type ChainStart, type RunSummary } from '../store/schema.js';
import type { PlannedRun } from './bench-plan.js';
import { runCell, type RunBenchInput } from './run-bench.js';
import { stepStart } from './chain-start.js';

export interface RunChainInput extends Omit<RunBenchInput, 'parallel'> {
  /** The sha256 of each step's record script (step 0 starts from record i's own). */
  recordSha256: (record: number) => string;
}

/**
 * Runs a chain's steps in order (README "Chains"): each starts once the one before is over, from its best script.
 * It is a bench (bench.json, one run folder per step, the bench's lock), so it resumes the same way: steps already
 * over are read back, and the rest run from the start files kept in the chain's folder.
 */
export function runChain(input: RunChainInput): Promise<ChainStepEntry[]> {
  return withFolderLock(input.dir, 'bench', () => runLocked(input));
}

async function runLocked(input: RunChainInput): Promise<ChainStepEntry[]> {
  const steps: ChainStepEntry[] = [];
  let previous: RunSummary | null = null;
  let complete = true;
  for (const run of input.runs) {
    if (input.signal?.aborted) {
      complete = false;
      break;
    }
    const start = await stepStart(input.dir, run, previous, input.recordSha256(run.record));
    if (!start) {
      complete = false;
      input.emit?.({
        type: 'error',
        run_id: run.run_id,
        message: `chain step ${run.chain?.step} not started: step ${(run.chain?.step ?? 1) - 1} did not finish; resume the chain to run it again`,
      });
      break;
    }
    const entry = await runCell(input, { ...run, start });
    steps.push(await stepEntry(input.dir, run, start.chain, entry));
    previous = (await readRunFile(join(input.dir, run.run_id)).catch(() => null))?.result ?? null;
  }
  input.emit?.({ type: 'bench-finished', runs: steps.map(benchEntry) });
  input.emit?.({ type: 'chain-finished', steps, complete: complete && steps.length === input.runs.length });
  return steps;
}

async function stepEntry(dir: string, run: PlannedRun, start: ChainStart, entry: BenchRunEntry): Promise<ChainStepEntry> {
  const runDir = join(dir, run.run_id);
  const summary = (await readRunFile(runDir).catch(() => null))?.result ?? null;
  const node0 = NodeResult.safeParse(await readJsonIfPresent(join(nodeDirOf(runDir, 0), NODE_FILES.result)).catch(() => undefined));
  const measured = node0.success && node0.data.measured_by === 'executed' ? node0.data.time_to_target_ms : null;
  return {
    ...entry,
    step: start.step,
    start: { from: start.from, run_id: start.run_id, node: start.node, file: start.file },
    start_ms: measured,
    baseline_ms: summary?.baseline_ms ?? null,
    target_ms: summary?.target_ms ?? null,
  };
}

function benchEntry(step: ChainStepEntry): BenchRunEntry {
  const { run_id, track, record, hint, agent, scaffold, seed, status, fsr, best, error } = step;
  return { run_id, track, record, hint, agent, scaffold, seed, status, fsr, best, error };
}
