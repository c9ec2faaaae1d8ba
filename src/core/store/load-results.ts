import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DamagedRunError, readStoreJson, type DamagedRun } from './damaged-run.js';
import { NODES_DIR, ROUND_FOLDER, RUN_FILE, VERIFICATION_DIR } from './layout.js';
import { nodeIds, readNodeResult } from './run-store.js';
import { NodeResult, RunConfig, RunSummary } from './schema.js';
import { readVerification, type VerificationFile } from './verification-file.js';
import { readJudgeFile, type JudgeFile } from './judge-file.js';

/** A finished (or stopped) run as read back from its folder: the summary, every node's result, its verification. */
export interface StoredRun {
  summary: RunSummary;
  nodes: NodeResult[];
  /** verification.json once `speedrun verify` ran on it. */
  verification?: VerificationFile | null;
  /** judge.json once `speedrun judge` ran on it. */
  judge?: JudgeFile | null;
  /** The run folder it was read from (reports read integrity files beside run.json); absent for runs built in memory. */
  dir?: string;
  /** The run's config from run.json, or null when it does not parse (an older run); absent for runs built in memory. */
  config?: RunConfig | null;
}

/** Every run with a result under a folder, and the runs whose files do not read back. */
export interface LoadedResults {
  runs: StoredRun[];
  damaged: DamagedRun[];
}

/** Folders of a run that hold no run of their own: the walker never looks inside a run folder anyway. */
const RUN_SUBFOLDERS = new Set([NODES_DIR, VERIFICATION_DIR, ROUND_FOLDER]);

/**
 * The one walker of results folders: every run folder (a folder with run.json) under `dir`, itself included: a
 * bench folder, a results folder of single runs, or a tree of them. Hidden folders are skipped.
 */
export async function findRunFolders(dir: string): Promise<string[]> {
  const own = await readdir(dir, { withFileTypes: true }).catch(() => []);
  if (own.some((e) => e.isFile() && e.name === RUN_FILE)) return [dir];
  // Sibling folders are listed at once: a bench of thousands of runs is listed in a fraction of the time one by one takes.
  const found = await Promise.all(
    own.filter((e) => e.isDirectory() && !e.name.startsWith('.') && !RUN_SUBFOLDERS.has(e.name)).map((e) => findRunFolders(join(dir, e.name))),
  );
  return found.flat().sort();
}

/**
 * Every run with a result under `dir`, in run id order. A run still in progress (no result yet) is left out; a run
 * with a file that does not read back is listed in `damaged` (file and reason) and the others are read on.
 */
export async function loadResults(dir: string): Promise<LoadedResults> {
  const runs: StoredRun[] = [];
  const damaged: DamagedRun[] = [];
  for (const runDir of await findRunFolders(dir)) {
    try {
      const run = await readStoredRun(runDir);
      if (run) runs.push(run);
    } catch (error) {
      if (!(error instanceof DamagedRunError)) throw error;
      damaged.push(error.damage);
    }
  }
  return { runs: runs.sort((a, b) => a.summary.run_id.localeCompare(b.summary.run_id)), damaged };
}

/** run.json as the report reads it: a config of an older version is kept as null rather than refused. */
const ReportedRunFile = z.object({ config: z.unknown(), result: RunSummary.nullable().default(null) });

/** A run folder's summary from run.json alone (null while the run has none); throws DamagedRunError for a damaged run.json. */
export async function readRunSummary(runDir: string): Promise<RunSummary | null> {
  return (await readStoreJson(runDir, join(runDir, RUN_FILE), ReportedRunFile))?.result ?? null;
}

/** One run folder with its result, or null while the run has none; throws DamagedRunError for a damaged file. */
export async function readStoredRun(runDir: string): Promise<StoredRun | null> {
  const file = await readStoreJson(runDir, join(runDir, RUN_FILE), ReportedRunFile);
  if (!file?.result) return null;
  const nodes: NodeResult[] = [];
  for (const node of await nodeIds(runDir)) {
    const result = await readNodeResult(runDir, node);
    if (result) nodes.push(result);
  }
  const config = RunConfig.safeParse(file.config);
  return {
    summary: file.result,
    nodes,
    verification: await readVerification(runDir),
    judge: await readJudgeFile(runDir),
    dir: runDir,
    config: config.success ? config.data : null,
  };
}
