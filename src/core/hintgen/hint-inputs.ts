import { readFile } from 'node:fs/promises';
import { formatNumbers, getRecord, loadTrack, resolveRecordScript } from '../catalog/catalog.js';
import { sha256Hex } from '../catalog/files.js';
import type { TrackName } from '../catalog/schema.js';
import { UserError } from '../errors.js';
import { unifiedDiff } from '../judge/judge-inputs.js';
import type { CacheLayout } from '../paths.js';

/** What a hint for task N → N+1 is written from: the true diff of the two records' scripts and N+1's description. */
export interface HintInputs {
  track: TrackName;
  record: number;
  nextRecord: number;
  /** Record N+1's one-line description from the track manifest. */
  description: string;
  diff: string;
  diffSha256: string;
}

/**
 * Reads the two scripts (bundled, or synced and sha256-checked) of any track whose catalog has records N and N+1.
 * Refuses a record without a successor and two equal scripts, before any model is asked.
 */
export async function loadHintInputs(opts: { track: TrackName; record: number; cache: CacheLayout; root?: string }): Promise<HintInputs> {
  const manifest = await loadTrack(opts.track, opts.root);
  getRecord(manifest, opts.record); // an unknown record fails listing the valid ones
  const next = manifest.records.find((r) => r.number === opts.record + 1);
  if (!next) {
    const starts = manifest.records.filter((r) => manifest.records.some((s) => s.number === r.number + 1)).map((r) => r.number);
    throw new UserError(
      `track ${opts.track} has no record ${opts.record + 1}: record ${opts.record} starts no task, so there is no change to write a hint about`,
      `pick a record whose successor is in the catalog: ${formatNumbers(starts)}`,
    );
  }
  const from = await readFile(await resolveRecordScript(manifest, opts.record, opts.cache, opts.root), 'utf8');
  const to = await readFile(await resolveRecordScript(manifest, next.number, opts.cache, opts.root), 'utf8');
  if (from === to) {
    throw new UserError(
      `records ${opts.record} and ${next.number} of track ${opts.track} have the same script: there is no change to write a hint about`,
      'pick another record',
    );
  }
  const diff = unifiedDiff(`record-${opts.record}/train_gpt.py`, `record-${next.number}/train_gpt.py`, from, to);
  return { track: opts.track, record: opts.record, nextRecord: next.number, description: next.description, diff, diffSha256: sha256Hex(diff) };
}
