import { readFile } from 'node:fs/promises';
import { createTwoFilesPatch } from 'diff';
import { getRecord, loadHints, loadTrack, parseTrackName, resolveManifestFile, resolveRecordScript } from '../catalog/catalog.js';
import { sha256Hex } from '../catalog/files.js';
import { UserError } from '../errors.js';
import type { CacheLayout } from '../paths.js';
import { readNodeText } from '../store/run-store.js';
import type { RunSummary } from '../store/schema.js';

/** What the judge compares for one run: the best node's change and the record's true change. */
export interface JudgeInputs {
  runId: string;
  track: string;
  record: number;
  nextRecord: number;
  /** Record i+1's one-line description from the track manifest. */
  description: string;
  /** The node judged (the run's best), and its script's diff against node 0 (record i); '' when they are the same. */
  node: number;
  nodeDiff: string;
  /** Record i → record i+1, the scripts the track ships or syncs. */
  trueDiff: string;
  /** Upstream's level-0 diff of the task (nanogpt records 1–20), verified against its pinned sha256; null where none. */
  level0Diff: string | null;
  nodeDiffSha256: string;
  trueDiffSha256: string;
  level0DiffSha256: string | null;
}

export interface JudgeInputOptions {
  runDir: string;
  summary: RunSummary;
  cache: CacheLayout;
  /** Package root (records/ and hints/ manifests, bundled scripts); default the installed package. */
  root?: string;
}

/**
 * Reads what a run's judgment rests on. Fails with a UserError naming the fix when the run has no best node, its
 * scripts are gone, or the track's scripts are not synced.
 */
export async function loadJudgeInputs(opts: JudgeInputOptions): Promise<JudgeInputs> {
  const { summary, runDir, cache, root } = opts;
  const best = summary.best;
  if (best === null) {
    throw new UserError(`run ${summary.run_id} has no best node (not even its baseline reached the target)`, 'judge runs whose search produced a valid node');
  }
  const manifest = await loadTrack(parseTrackName(summary.track), root);
  const next = getRecord(manifest, summary.record + 1);
  const recordScript = await readFile(await resolveRecordScript(manifest, summary.record, cache, root), 'utf8');
  const nextScript = await readFile(await resolveRecordScript(manifest, next.number, cache, root), 'utf8');
  // Node 0 is the script the agent started from; a run folder without it still has record i in the catalog.
  const start = (await readNodeText(runDir, 0, 'script')) ?? recordScript;
  const nodeScript = await readNodeText(runDir, best.node, 'script');
  if (nodeScript === null) {
    throw new UserError(`run ${summary.run_id}: node ${best.node}, its best, has no train_gpt.py in ${runDir}`, 'judge a complete run folder');
  }
  if (recordScript === nextScript) {
    throw new UserError(
      `records ${summary.record} and ${next.number} of track ${summary.track} have the same script: there is no change to judge against`,
      'judge runs of other tasks',
    );
  }
  const level0Diff = await readLevel0(manifest.track, summary.record, cache, root);
  const nodeDiff = unifiedDiff(`record-${summary.record}/train_gpt.py`, `node-${best.node}/train_gpt.py`, start, nodeScript);
  const trueDiff = unifiedDiff(`record-${summary.record}/train_gpt.py`, `record-${next.number}/train_gpt.py`, recordScript, nextScript);
  return {
    runId: summary.run_id,
    track: summary.track,
    record: summary.record,
    nextRecord: next.number,
    description: next.description,
    node: best.node,
    nodeDiff,
    trueDiff,
    level0Diff,
    nodeDiffSha256: sha256Hex(nodeDiff),
    trueDiffSha256: sha256Hex(trueDiff),
    level0DiffSha256: level0Diff === null ? null : sha256Hex(level0Diff),
  };
}

/** A unified diff without the patch header line, '' for equal texts. */
export function unifiedDiff(fromName: string, toName: string, from: string, to: string): string {
  if (from === to) return '';
  return createTwoFilesPatch(fromName, toName, from, to).replace(/^=+\n/, '');
}

/** The task's level-0 hint (the human diff, kept for judging), or null when the track has none for it. */
async function readLevel0(track: string, record: number, cache: CacheLayout, root: string | undefined): Promise<string | null> {
  const hints = await loadHints(parseTrackName(track), root);
  const entry = hints.hints.find((h) => h.record === record && h.level === 0);
  if (!entry) return null;
  return readFile(await resolveManifestFile(track, hints.source, entry, cache, root), 'utf8');
}
