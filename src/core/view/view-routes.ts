import type { RowCache } from './row-cache.js';
import type { ViewCatalog } from './view-catalog.js';
import { indexData, nodeData, runData } from './view-data.js';
import { SAFE_ID } from './safe-path.js';

/**
 * The data keys of the app, the same for the server (`/api/<key>`) and the bundle (`data/<key>.js`):
 *   index                      every bench and a summary row per run
 *   run/<bench>/<run>          one run: its nodes, FSR by step, integrity
 *   node/<bench>/<run>/<n>     one node: diff, log, audit, model calls
 * Each part is a SAFE_ID (or a node number), looked up in the catalog: a key never carries a path.
 */
export type DataKey = { kind: 'index' } | { kind: 'run'; bench: string; run: string } | { kind: 'node'; bench: string; run: string; node: number };

/** The key named by URL path segments (already decoded), or null for anything else. */
export function parseKey(parts: readonly string[]): DataKey | null {
  if (!parts.every((p) => SAFE_ID.test(p))) return null;
  const [kind, bench, run, node] = parts;
  if (kind === 'index' && parts.length === 1) return { kind: 'index' };
  if (kind === 'run' && parts.length === 3) return { kind: 'run', bench: bench!, run: run! };
  if (kind === 'node' && parts.length === 4 && /^\d{1,9}$/.test(node!)) return { kind: 'node', bench: bench!, run: run!, node: Number(node) };
  return null;
}

export function keyPath(key: DataKey): string {
  if (key.kind === 'index') return 'index';
  if (key.kind === 'run') return `run/${key.bench}/${key.run}`;
  return `node/${key.bench}/${key.run}/${key.node}`;
}

/** The JSON a key names, or null when the catalog has no such bench, run or node. */
export async function dataFor(catalog: ViewCatalog, key: DataKey, rows?: RowCache): Promise<unknown | null> {
  if (key.kind === 'index') return indexData(catalog, rows && ((run) => rows.row(run)));
  const run = catalog.run(key.bench, key.run);
  if (!run) return null;
  return key.kind === 'run' ? runData(run) : nodeData(run, key.node);
}
