import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { readBenchManifest, type BenchManifest } from '../bench/bench-manifest.js';
import { UserError } from '../errors.js';
import { findRunFolders } from '../store/load-results.js';
import { BENCH_FILE } from '../store/layout.js';
import { isInside, safeId } from './safe-path.js';

/** One run folder the viewer may read: where it is, the results folder it was found under, and its ids in URLs. */
export interface CatalogRun {
  bench: string;
  id: string;
  dir: string;
  /** The real path of the results folder the user gave: nothing outside it is ever read. */
  rootReal: string;
}

/** A bench folder (one with bench.json), or the runs of a results folder that belong to no bench. */
export interface CatalogBench {
  id: string;
  /** The folder, relative to the parent of the results folder it was found under (what a user recognises). */
  title: string;
  manifest: BenchManifest | null;
  /** Why bench.json could not be read, when it could not. */
  manifest_error: string | null;
  runs: CatalogRun[];
}

/**
 * Every run folder under the results folders the user named, grouped by bench, each with a URL-safe id. The viewer
 * serves only what this catalog names: a request names a bench and run id, never a path.
 */
export interface ViewCatalog {
  benches: CatalogBench[];
  run(bench: string, id: string): CatalogRun | undefined;
}

export async function buildCatalog(roots: readonly string[]): Promise<ViewCatalog> {
  const benches = new Map<string, CatalogBench>();
  const byFolder = new Map<string, CatalogBench>();
  const benchFolders = new Map<string, string>();
  const runIds = new Map<CatalogBench, Set<string>>();
  for (const given of roots) {
    const root = resolve(given);
    let rootReal: string;
    try {
      rootReal = realpathSync(root);
    } catch {
      throw new UserError(`no results folder at ${given}`, 'give a folder written by `speedrun run --out` or `speedrun bench --out`');
    }
    for (const dir of await findRunFolders(root)) {
      if (!isInside(rootReal, dir)) continue;
      // Runs side by side share their bench folder: look it up once per parent folder.
      const parent = dirname(dir);
      const folder = benchFolders.get(parent) ?? benchFolderOf(dir, root);
      benchFolders.set(parent, folder);
      let bench = byFolder.get(folder);
      if (!bench) {
        bench = await openBench(folder, root, rootReal, benches);
        byFolder.set(folder, bench);
        benches.set(bench.id, bench);
      }
      const ids = runIds.get(bench) ?? new Set<string>();
      const id = uniqueId(safeId(basename(dir)), ids);
      ids.add(id);
      runIds.set(bench, ids);
      bench.runs.push({ bench: bench.id, id, dir, rootReal });
    }
  }
  const list = [...benches.values()];
  const byKey = new Map(list.flatMap((b) => b.runs.map((r) => [`${b.id}/${r.id}`, r] as const)));
  return {
    benches: list,
    run: (bench, id) => byKey.get(`${bench}/${id}`),
  };
}

/** The nearest folder above a run (within the results folder) that holds bench.json; else the results folder itself. */
function benchFolderOf(runDir: string, root: string): string {
  for (let dir = dirname(runDir); dir.length >= root.length && dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, BENCH_FILE))) return dir;
    if (dir === root) break;
  }
  return root;
}

async function openBench(folder: string, root: string, rootReal: string, taken: Map<string, CatalogBench>): Promise<CatalogBench> {
  const title = relative(dirname(root), folder) || basename(folder);
  let manifest: BenchManifest | null = null;
  let manifestError: string | null = null;
  try {
    if (isInside(rootReal, join(folder, BENCH_FILE))) manifest = await readBenchManifest(folder);
    else manifestError = `${BENCH_FILE} is a link outside the results folder; not read`;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    manifestError = error.message;
  }
  return { id: uniqueId(safeId(title), new Set(taken.keys())), title, manifest, manifest_error: manifestError, runs: [] };
}

function uniqueId(id: string, taken: ReadonlySet<string>): string {
  if (!taken.has(id)) return id;
  for (let n = 2; ; n++) if (!taken.has(`${id}-${n}`)) return `${id}-${n}`;
}
