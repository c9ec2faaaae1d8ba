import { readFile } from 'node:fs/promises';
import { getRecord, loadTrack, parseTrackName, resolveRecordScript } from '../catalog/catalog.js';
import { UserError } from '../errors.js';
import { unifiedDiff } from '../judge/judge-inputs.js';
import { cacheLayout, packageRoot, type CacheLayout } from '../paths.js';
import { diffOverlap, lineDiff, type DiffOverlap, type LineDiff } from '../score/diff-overlap.js';
import { NODE_FILES, NODES_DIR } from '../store/layout.js';
import { readNodeText } from '../store/run-store.js';
import type { CatalogRun } from './view-catalog.js';
import { guarded, runRow } from './view-data.js';

/** What the viewer reads besides the results folders: the catalog's record scripts (bundled, or synced into the cache). */
export interface ViewSources {
  /** The cache upstream tracks' scripts are synced into; null: not given (only bundled tracks' scripts are found). */
  cache: CacheLayout | null;
  /** Package root (records/ manifests, bundled scripts); default the installed package. */
  root?: string;
}

/**
 * A node beside the true next record (node page): record i → record i+1 from the catalog, the node's script →
 * record i+1, and how much of the true change the node made (diff overlap, as the report measures it for a run's
 * best: score/diff-overlap.ts, from the run's node 0 to the node). Scripts are found as judge and distance find them
 * (catalog.ts resolveRecordScript, sha256-checked); where they cannot be, `note` says why.
 */
export interface TrueDiffData {
  record: number | null;
  next_record: number | null;
  /** Record i+1's one-line description from the track manifest. */
  description: string | null;
  /** Record i's script → record i+1's (unified diff). */
  true_diff: string | null;
  /** This node's script → record i+1's: what it would still take to be the record. */
  to_next: string | null;
  overlap: DiffOverlap | null;
  /** Why something above is missing. */
  note: string | null;
}

interface Truth {
  next: number;
  description: string;
  recordScript: string;
  nextScript: string;
  diff: string;
  lines: LineDiff;
}

/** One task's truth per cache and track: record scripts are pinned by sha256, so they never change under a server. */
const truths = new Map<string, Promise<Truth | { why: string }>>();

export async function trueDiffData(run: CatalogRun, node: number, sources: ViewSources): Promise<TrueDiffData> {
  const row = await runRow(run);
  const out: TrueDiffData = { record: row.record, next_record: null, description: null, true_diff: null, to_next: null, overlap: null, note: null };
  if (row.track === null || row.record === null)
    return { ...out, note: `the run's ${row.damaged ? 'run.json does not read back' : 'track and record are unknown'}` };
  const key = `${sources.cache?.root ?? ''}|${sources.root ?? ''}|${row.track}|${row.record}`;
  if (!truths.has(key)) truths.set(key, loadTruth(row.track, row.record, sources));
  const truth = await truths.get(key)!;
  if ('why' in truth) {
    truths.delete(key); // a later request looks again (the user may sync meanwhile)
    return { ...out, note: truth.why };
  }
  Object.assign(out, { next_record: truth.next, description: truth.description, true_diff: truth.diff });
  const script = (n: number) => (guarded(run, NODES_DIR, `${NODES_DIR}/${n}/${NODE_FILES.script}`) ? readNodeText(run.dir, n, 'script') : null);
  const nodeScript = await script(node);
  if (nodeScript === null) return { ...out, note: `node ${node} has no ${NODE_FILES.script} (its edit failed, or it is not written yet)` };
  out.to_next = unifiedDiff(`node-${node}/${NODE_FILES.script}`, `record-${truth.next}/${NODE_FILES.script}`, nodeScript, truth.nextScript);
  // The node's change is counted from the script the run started from, as the report counts its best node's.
  const start = (await script(0)) ?? truth.recordScript;
  out.overlap = diffOverlap(truth.lines, lineDiff(start, nodeScript));
  if (!out.overlap) out.note = `record ${truth.next} changes no code line of record ${row.record}: no overlap to measure`;
  return out;
}

async function loadTruth(track: string, record: number, sources: ViewSources): Promise<Truth | { why: string }> {
  try {
    const root = sources.root ?? packageRoot;
    const manifest = await loadTrack(parseTrackName(track), root);
    if (!manifest.records.some((r) => r.number === record + 1)) {
      return { why: `record ${record + 1} is not in the ${track} catalog (its last record is ${Math.max(...manifest.records.map((r) => r.number))})` };
    }
    if (manifest.source.kind === 'upstream' && !sources.cache) return { why: `no cache was given to find the synced ${track} scripts in` };
    // A bundled track's scripts ship with the package: the cache is not read for them.
    const cache = sources.cache ?? cacheLayout(root);
    const next = getRecord(manifest, record + 1);
    const recordScript = await readFile(await resolveRecordScript(manifest, record, cache, root), 'utf8');
    const nextScript = await readFile(await resolveRecordScript(manifest, next.number, cache, root), 'utf8');
    return {
      next: next.number,
      description: next.description,
      recordScript,
      nextScript,
      diff: unifiedDiff(`record-${record}/${NODE_FILES.script}`, `record-${next.number}/${NODE_FILES.script}`, recordScript, nextScript),
      lines: lineDiff(recordScript, nextScript),
    };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    // Not synced, or not the pinned bytes: say so and how to fix it.
    return { why: error.fix ? `${error.message} (${error.fix})` : error.message };
  }
}
