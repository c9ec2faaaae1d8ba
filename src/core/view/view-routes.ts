import type { RowCache } from './row-cache.js';
import type { ViewCatalog } from './view-catalog.js';
import { analysesData, type AnalysesData } from './view-analyses.js';
import { chainData } from './view-chain.js';
import { curvesData } from './view-curves.js';
import { indexData, nodeData, runData, type NodeData, type RunData } from './view-data.js';
import { trueDiffData, type TrueDiffData, type ViewSources } from './view-true-diff.js';
import { SAFE_ID } from './safe-path.js';

/**
 * The data keys of the app, the same for the server (`/api/<key>`) and the bundle (`data/<key>.js`):
 *   index                      every bench and a summary row per run
 *   run/<bench>/<run>          one run: its nodes, FSR by step, integrity, its analyses (judge, distance, ideas)
 *   curves/<bench>/<run>       one run's loss curves: every node's, and the record's own
 *   chain/<bench>              a chain bench's steps, in order, with where each started
 *   node/<bench>/<run>/<n>     one node: diff, the true next record's diff, log, audit, model calls
 * Each part is a SAFE_ID (or a node number), looked up in the catalog: a key never carries a path.
 */
export type DataKey =
  | { kind: 'index' }
  | { kind: 'run'; bench: string; run: string }
  | { kind: 'curves'; bench: string; run: string }
  | { kind: 'chain'; bench: string }
  | { kind: 'node'; bench: string; run: string; node: number };

/** What `run/…` and `node/…` answer: the run's and node's data, with what is read beside them. */
export type RunPage = RunData & { analyses: AnalysesData };
export type NodePage = NodeData & { true_diff: TrueDiffData };

/** The key named by URL path segments (already decoded), or null for anything else. */
export function parseKey(parts: readonly string[]): DataKey | null {
  if (!parts.every((p) => SAFE_ID.test(p))) return null;
  const [kind, bench, run, node] = parts;
  if (kind === 'index' && parts.length === 1) return { kind: 'index' };
  if (kind === 'chain' && parts.length === 2) return { kind: 'chain', bench: bench! };
  if ((kind === 'run' || kind === 'curves') && parts.length === 3) return { kind, bench: bench!, run: run! };
  if (kind === 'node' && parts.length === 4 && /^\d{1,9}$/.test(node!)) return { kind: 'node', bench: bench!, run: run!, node: Number(node) };
  return null;
}

export function keyPath(key: DataKey): string {
  if (key.kind === 'index') return 'index';
  if (key.kind === 'chain') return `chain/${key.bench}`;
  if (key.kind === 'node') return `node/${key.bench}/${key.run}/${key.node}`;
  return `${key.kind}/${key.bench}/${key.run}`;
}

/** The JSON a key names, or null when the catalog has no such bench, run or node. */
export async function dataFor(catalog: ViewCatalog, key: DataKey, sources: ViewSources = { cache: null }, rows?: RowCache): Promise<unknown | null> {
  if (key.kind === 'index') return indexData(catalog, rows && ((run) => rows.row(run)));
  if (key.kind === 'chain') {
    const bench = catalog.benches.find((b) => b.id === key.bench);
    return bench ? chainData(bench) : null;
  }
  const run = catalog.run(key.bench, key.run);
  if (!run) return null;
  if (key.kind === 'curves') return curvesData(run);
  if (key.kind === 'run') return { ...(await runData(run)), analyses: await analysesData(run) } satisfies RunPage;
  const node = await nodeData(run, key.node);
  return node && ({ ...node, true_diff: await trueDiffData(run, key.node, sources) } satisfies NodePage);
}
