import { loadHints } from '../core/catalog/catalog.js';
import { GENERATED_LEVELS, readGeneratedHint, readRejectedHints, recordsWithGeneratedHints, type GeneratedHint } from '../core/catalog/generated-hints.js';
import type { TrackName } from '../core/catalog/schema.js';
import type { CacheLayout } from '../core/paths.js';

/**
 * One hint of a track as `hints list` shows it. `offered`: an agent asking for the level gets it; `shadowed`: an
 * accepted generated hint the track's own hint of that level wins over; `draft` and `rejected` are never offered.
 */
export interface HintRow {
  record: number;
  level: number;
  source: 'bundled' | 'upstream' | 'generated';
  status: 'offered' | 'shadowed' | 'draft' | 'rejected';
  path: string;
  model: string | null;
  prompt_version: string | null;
  prompt_sha256: string | null;
  created_at: string | null;
  reviewed_at: string | null;
  reason: string | null;
}

/** The track's own hints (level 0, the judge's diff, left out) and every generated one, by record and level. */
export async function listHintRows(cache: CacheLayout, track: TrackName, record: number | null): Promise<HintRow[]> {
  const manifest = await loadHints(track);
  const own = manifest.hints.filter((h) => h.level !== 0 && (record === null || h.record === record));
  const rows: HintRow[] = own.map((h) => ({
    record: h.record,
    level: h.level,
    source: manifest.source.kind,
    status: 'offered',
    path: h.path,
    model: null,
    prompt_version: null,
    prompt_sha256: null,
    created_at: null,
    reviewed_at: null,
    reason: null,
  }));
  const shipped = new Set(own.map((h) => `${h.record}/${h.level}`));
  const records = (await recordsWithGeneratedHints(cache, track)).filter((r) => record === null || r === record);
  for (const r of records) {
    for (const level of GENERATED_LEVELS) {
      const accepted = await readGeneratedHint(cache, track, r, level, 'accepted');
      if (accepted) rows.push(generatedRow(accepted, shipped.has(`${r}/${level}`) ? 'shadowed' : 'offered'));
      const draft = await readGeneratedHint(cache, track, r, level, 'draft');
      if (draft) rows.push(generatedRow(draft, 'draft'));
    }
    for (const rejected of await readRejectedHints(cache, track, r)) rows.push(generatedRow(rejected, 'rejected'));
  }
  return rows.sort((a, b) => a.record - b.record || a.level - b.level);
}

function generatedRow(hint: GeneratedHint, status: HintRow['status']): HintRow {
  const m = hint.meta;
  return {
    record: m.record,
    level: m.level,
    source: 'generated',
    status,
    path: hint.path,
    model: m.model,
    prompt_version: m.prompt_version,
    prompt_sha256: m.prompt_sha256,
    created_at: m.created_at,
    reviewed_at: m.review?.at ?? null,
    reason: m.review?.reason ?? null,
  };
}
