import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { nodeIds } from '../store/run-store.js';
import { RowCache } from './row-cache.js';
import { buildCatalog } from './view-catalog.js';
import { readViewAsset, viewPage } from './view-assets.js';
import { dataFor, keyPath, type DataKey } from './view-routes.js';
import type { ViewSources } from './view-true-diff.js';

/** What a bundle folder may already hold: a bundle written before, which is replaced. */
const BUNDLE_ENTRIES = new Set(['index.html', 'app.js', 'app.css', 'data']);

export interface BundleWritten {
  dir: string;
  runs: number;
  nodes: number;
}

/**
 * The app as a static site (docs/view.md, "Bundle"): index.html, app.js, app.css and one data/<key>.js per index,
 * run (and its curves), chain and node. Data files are scripts, not JSON: a page opened from file:// may load a script beside it, but
 * Chromium refuses fetch() of file:// URLs. Each script stores its object under its key in window.SPEEDRUN_VIEW_DATA.
 */
export async function writeViewBundle(roots: readonly string[], out: string, sources: ViewSources = { cache: null }): Promise<BundleWritten> {
  const dir = resolve(out);
  const present = await readdir(dir).catch(() => [] as string[]);
  const foreign = present.filter((e) => !BUNDLE_ENTRIES.has(e));
  if (foreign.length > 0)
    throw new UserError(`${out} is not empty (${foreign.slice(0, 3).join(', ')})`, 'give a new folder for --bundle, or an earlier bundle to replace');
  await rm(join(dir, 'data'), { recursive: true, force: true });
  const catalog = await buildCatalog(roots);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'index.html'), await viewPage('bundle'));
  for (const asset of ['app.js', 'app.css'] as const) await writeFile(join(dir, asset), await readViewAsset(asset));
  const rows = new RowCache();
  const made = new Set<string>();
  const put = async (key: DataKey) => {
    const data = await dataFor(catalog, key, sources, rows);
    if (data === null) return;
    const file = join(dir, 'data', `${keyPath(key)}.js`);
    if (!made.has(dirname(file))) await mkdir(dirname(file), { recursive: true });
    made.add(dirname(file));
    await writeFile(file, dataScript(keyPath(key), data));
  };
  await put({ kind: 'index' });
  let nodes = 0;
  for (const bench of catalog.benches) if (bench.manifest?.spec.chain) await put({ kind: 'chain', bench: bench.id });
  const runs = catalog.benches.flatMap((bench) => bench.runs);
  // A few runs at a time, so one run's reads overlap another's writes; each run's own files are written in turn.
  await eachAtMost(BUNDLE_CONCURRENCY, runs, async (run) => {
    await put({ kind: 'run', bench: run.bench, run: run.id });
    await put({ kind: 'curves', bench: run.bench, run: run.id });
    for (const node of await nodeIds(run.dir)) {
      nodes++;
      await put({ kind: 'node', bench: run.bench, run: run.id, node });
    }
  });
  return { dir, runs: runs.length, nodes };
}

const BUNDLE_CONCURRENCY = 8;

async function eachAtMost<T>(limit: number, items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** A script that files one key's data; `<` is escaped so no text in a log can end a surrounding script element. */
export function dataScript(key: string, data: unknown): string {
  const json = JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `(window.SPEEDRUN_VIEW_DATA = window.SPEEDRUN_VIEW_DATA || {})[${JSON.stringify(key)}] = ${json};\n`;
}
