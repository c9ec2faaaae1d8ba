import { readFile } from 'node:fs/promises';
import { getRecord, loadTrack, parseTrackName, resolveRecordScript } from '../catalog/catalog.js';
import { UserError } from '../errors.js';
import type { CacheLayout } from '../paths.js';
import { readNodeText } from '../store/run-store.js';
import type { RunSummary } from '../store/schema.js';

/** The three scripts a run's code distance compares: its best node's, and records i and i+1 from the catalog. */
export interface DistanceInputs {
  runId: string;
  track: string;
  record: number;
  nextRecord: number;
  node: number;
  scripts: { node: string; record: string; next: string };
}

/** Reads them; a UserError with the fix when the run has no best node, its script is gone, or the track is not synced. */
export async function loadDistanceInputs(opts: { runDir: string; summary: RunSummary; cache: CacheLayout; root?: string }): Promise<DistanceInputs> {
  const { summary, runDir, cache, root } = opts;
  const best = summary.best;
  if (best === null) {
    throw new UserError(`run ${summary.run_id} has no best node (not even its baseline reached the target)`, 'measure runs whose search produced a valid node');
  }
  const manifest = await loadTrack(parseTrackName(summary.track), root);
  const next = getRecord(manifest, summary.record + 1);
  const record = await readFile(await resolveRecordScript(manifest, summary.record, cache, root), 'utf8');
  const nextScript = await readFile(await resolveRecordScript(manifest, next.number, cache, root), 'utf8');
  const node = await readNodeText(runDir, best.node, 'script');
  if (node === null) {
    throw new UserError(`run ${summary.run_id}: node ${best.node}, its best, has no train_gpt.py in ${runDir}`, 'measure a complete run folder');
  }
  return {
    runId: summary.run_id,
    track: summary.track,
    record: summary.record,
    nextRecord: next.number,
    node: best.node,
    scripts: { node, record, next: nextScript },
  };
}
