import { join } from 'node:path';
import type { BenchRunEntry, EventSink } from '../events.js';
import { FINAL_STATUSES } from '../search/run-engine.js';
import { withFolderLock } from '../store/folder-lock.js';
import { readRunFile } from '../store/run-store.js';
import type { RunSummary } from '../store/schema.js';
import { agentLabel, scaffoldLabel, type PlannedRun } from './bench-plan.js';

export interface RunBenchInput {
  dir: string;
  runs: PlannedRun[];
  parallel: number;
  /** Prepares and runs one cell in its folder (resuming it when the folder holds an unfinished run). */
  runOne: (run: PlannedRun, runDir: string) => Promise<RunSummary>;
  emit?: EventSink;
  signal?: AbortSignal;
}

/**
 * Runs the matrix, `parallel` runs at a time. A run already finished in the folder is never run again; a run that
 * fails is recorded and the bench goes on, so one broken cell loses no other result.
 */
export function runBench(input: RunBenchInput): Promise<BenchRunEntry[]> {
  // The bench's process writes the folder and every run in it; a second bench or a resume waits its turn.
  return withFolderLock(input.dir, 'bench', () => runLocked(input));
}

async function runLocked(input: RunBenchInput): Promise<BenchRunEntry[]> {
  const entries = new Array<BenchRunEntry>(input.runs.length);
  let next = 0;
  const worker = async () => {
    while (next < input.runs.length && !input.signal?.aborted) {
      const index = next++;
      const run = input.runs[index]!;
      entries[index] = await runCell(input, run);
    }
  };
  await Promise.all(Array.from({ length: Math.min(input.parallel, input.runs.length) }, worker));
  const done = entries.filter((e): e is BenchRunEntry => e !== undefined);
  input.emit?.({ type: 'bench-finished', runs: done });
  return done;
}

/** One cell in its folder: a run already over is read back, anything else runs (or resumes); a failure is its entry. */
export async function runCell(input: Pick<RunBenchInput, 'dir' | 'runOne' | 'emit'>, run: PlannedRun): Promise<BenchRunEntry> {
  const runDir = join(input.dir, run.run_id);
  try {
    const stored = await readRunFile(runDir);
    if (stored?.result && FINAL_STATUSES.includes(stored.result.status)) return entryOf(run, stored.result, null);
    return entryOf(run, await input.runOne(run, runDir), null);
  } catch (error) {
    // A damaged run (a file that does not read back) is one failed cell, like any other failure.
    const message = error instanceof Error ? error.message : String(error);
    input.emit?.({ type: 'error', run_id: run.run_id, message });
    // The run folder may hold a summary written on the way out (status failed); use it when it is there.
    const after = await readRunFile(runDir).catch(() => null);
    return entryOf(run, after?.result ?? null, message);
  }
}

function entryOf(run: PlannedRun, summary: RunSummary | null, error: string | null): BenchRunEntry {
  return {
    run_id: run.run_id,
    track: run.track,
    record: run.record,
    hint: run.hint,
    agent: agentLabel(run.agent),
    scaffold: scaffoldLabel(run.scaffold),
    seed: run.seed,
    status: summary?.status ?? 'failed',
    fsr: summary?.fsr ?? null,
    best: summary?.best ?? null,
    error,
  };
}
