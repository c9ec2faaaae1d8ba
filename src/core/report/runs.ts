import { dirname, resolve } from 'node:path';
import { readBenchManifest } from '../bench/bench-manifest.js';
import { UserError } from '../errors.js';
import { readIdeasFile, type IdeasFile } from '../ideas/ideas-file.js';
import { DamagedRunError, formatDamaged, type DamagedRun } from '../store/damaged-run.js';
import { loadResults, type StoredRun } from '../store/load-results.js';
import { runIntegrity, type RunIntegrity } from './verification.js';

/** A run as the report sees it: the stored run plus what the report reads around it. */
export interface ReportRun extends StoredRun {
  integrity: RunIntegrity;
  /** GPUs each node trained on (0 for CPU benches); null where no bench.json records it (single runs). */
  gpusPerNode: number | null;
  /** ideas.json once `speedrun ideas` ran on it. */
  ideas?: IdeasFile | null;
}

/** The model behind a run, or the built-in agent's name (reference, null, human) when it has none. */
export function modelOf(run: StoredRun): string {
  return run.summary.model ?? run.summary.agent;
}

export function taskOf(run: StoredRun): string {
  return `${run.summary.track}/${run.summary.record}`;
}

/**
 * Every run under the given results folders, with its integrity status and GPU count, and the damaged runs left
 * out. A folder with no finished run is a user error: a report of nothing would look like a report of zeros.
 */
export async function loadReportRuns(dirs: readonly string[]): Promise<{ runs: ReportRun[]; damaged: DamagedRun[] }> {
  const runs: StoredRun[] = [];
  const damaged: DamagedRun[] = [];
  for (const dir of dirs) {
    const found = await loadResults(dir);
    damaged.push(...found.damaged);
    if (found.runs.length === 0) {
      const also = found.damaged.length ? `; damaged: ${found.damaged.map(formatDamaged).join('; ')}` : '';
      throw new UserError(
        `no finished run under ${dir}${also}`,
        'give a results folder of `speedrun bench` or `speedrun run` (runs still in progress have no result yet)',
      );
    }
    runs.push(...found.runs);
  }
  const gpus = new Map<string, Promise<number | null>>();
  const out: ReportRun[] = [];
  for (const run of runs) {
    let ideas: IdeasFile | null = null;
    try {
      ideas = run.dir ? await readIdeasFile(run.dir) : null;
    } catch (error) {
      if (!(error instanceof DamagedRunError)) throw error;
      damaged.push(error.damage);
      continue;
    }
    out.push({ ...run, integrity: runIntegrity(run), gpusPerNode: run.dir ? await gpusFromBench(run.dir, dirs, gpus) : null, ideas });
  }
  return { runs: out, damaged };
}

/** The GPU count per node from the nearest bench.json above a run folder, within the folders the user named. */
async function gpusFromBench(runDir: string, roots: readonly string[], cache: Map<string, Promise<number | null>>): Promise<number | null> {
  const stops = new Set(roots.map((r) => dirname(resolve(r))));
  for (let dir = dirname(resolve(runDir)); !stops.has(dir) && dir !== dirname(dir); dir = dirname(dir)) {
    let pending = cache.get(dir);
    if (!pending) {
      pending = readBenchManifest(dir)
        .then((manifest) =>
          manifest === null ? undefined : manifest.spec.gpus === undefined && manifest.spec.gpus_per_run === undefined ? 0 : (manifest.spec.gpus_per_run ?? 1),
        )
        .catch(() => undefined)
        .then((n) => (n === undefined ? null : n));
      cache.set(dir, pending);
    }
    const found = await pending;
    if (found !== null) return found;
  }
  return null;
}
