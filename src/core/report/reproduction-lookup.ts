import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localFilePath } from '../catalog/catalog.js';
import { checkFile } from '../catalog/files.js';
import { loadTrack } from '../catalog/load.js';
import { TrackName, type TrackManifest } from '../catalog/schema.js';
import { packageRoot, type CacheLayout } from '../paths.js';
import { diffOverlap, lineDiff, type LineDiff } from '../score/diff-overlap.js';
import { NODE_FILES, nodeDirOf } from '../store/layout.js';
import { readRunDistance } from './distance-lookup.js';
import { NO_DISTANCE, type RunDistance } from './distance-schema.js';
import type { ReportRun } from './runs.js';
import type { RunReproduction } from './schema.js';

/**
 * How much of the true change each run's best node made (score/diff-overlap.ts): the true diff is record i's script
 * → record i+1's, from the track's catalog (bundled, or synced into the cache); the node's diff is the run's own
 * starting script (nodes/0/train_gpt.py, record i's catalog script where that is missing) → the best node's script.
 * A run it cannot measure gets null and the reason, never a failed report.
 */

export type ReproductionOf = (run: ReportRun) => RunReproduction;

/** What a report built without the lookup (tests, in-memory runs) says. */
export const NOT_LOOKED_UP: RunReproduction = { diff_overlap: null, diff_overlap_note: 'not looked up', ...NO_DISTANCE };

function unmeasured(note: string): Omit<RunReproduction, keyof RunDistance> {
  return { diff_overlap: null, diff_overlap_note: note };
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Record n's script from the catalog, or why not: absent from the manifest, not synced, or not the bytes pinned. */
async function catalogScript(manifest: TrackManifest, n: number, cache: CacheLayout, root: string): Promise<{ text: string } | { why: string }> {
  const record = manifest.records.find((r) => r.number === n);
  if (!record) return { why: `track ${manifest.track} has no record ${n}` };
  const path = localFilePath(manifest.source, record.script, cache, root);
  const state = await checkFile(path, record.script);
  if (state === 'missing') return { why: `record ${n}'s script not in the catalog` };
  if (state === 'modified') return { why: `record ${n}'s script does not match its sha256` };
  return { text: await readFile(path, 'utf8') };
}

/** Reads every run's scripts and the catalog's once per task; the report then looks each run up. */
export async function loadReproduction(runs: readonly ReportRun[], cache: CacheLayout, root: string = packageRoot): Promise<ReproductionOf> {
  const manifests = new Map<string, TrackManifest | null>();
  const truths = new Map<string, { record: string; diff: LineDiff } | { why: string }>();
  const found = new Map<ReportRun, RunReproduction>();

  const manifestOf = async (track: string) => {
    if (!manifests.has(track)) {
      const name = TrackName.safeParse(track);
      manifests.set(track, name.success ? await loadTrack(name.data, root) : null);
    }
    return manifests.get(track) ?? null;
  };
  const truthOf = async (manifest: TrackManifest, record: number) => {
    const key = `${manifest.track}/${record}`;
    let truth = truths.get(key);
    if (!truth) {
      const [from, to] = [await catalogScript(manifest, record, cache, root), await catalogScript(manifest, record + 1, cache, root)];
      truth = 'why' in to ? to : 'why' in from ? from : { record: from.text, diff: lineDiff(from.text, to.text) };
      truths.set(key, truth);
    }
    return truth;
  };

  const measure = async (run: ReportRun): Promise<Omit<RunReproduction, keyof RunDistance>> => {
    const s = run.summary;
    if (!s.best) return unmeasured('no best node');
    if (!run.dir) return unmeasured('no run folder to read the scripts from');
    const manifest = await manifestOf(s.track);
    if (!manifest) return unmeasured(`unknown track ${s.track}`);
    const truth = await truthOf(manifest, s.record);
    if ('why' in truth) return unmeasured(`n/a (${truth.why})`);
    const best = await readText(join(nodeDirOf(run.dir, s.best.node), NODE_FILES.script));
    if (best === null) return unmeasured(`node ${s.best.node}'s ${NODE_FILES.script} is missing`);
    const start = (await readText(join(nodeDirOf(run.dir, 0), NODE_FILES.script))) ?? truth.record;
    const overlap = diffOverlap(truth.diff, lineDiff(start, best));
    if (!overlap) return unmeasured(`record ${s.record + 1} changes no code line of record ${s.record}`);
    return { diff_overlap: overlap, diff_overlap_note: overlap.node_lines === 0 ? 'no change' : null };
  };

  // The embedding distance (`speedrun distance`) beside the overlap: read from the run's distance.json, when it has one.
  for (const run of runs) found.set(run, { ...(await measure(run)), ...(await readRunDistance(run)) });
  return (run) => found.get(run) ?? NOT_LOOKED_UP;
}
