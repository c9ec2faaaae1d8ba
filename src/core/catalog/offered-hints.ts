import { packageRoot, type CacheLayout } from '../paths.js';
import { UserError } from '../errors.js';
import { sha256Hex } from './files.js';
import { GENERATED_KIND, GENERATED_LEVELS, readGeneratedHint, recordsWithGeneratedHints, type GeneratedHintMeta } from './generated-hints.js';
import { loadHints } from './load.js';
import type { HintEntry, HintManifest, TrackName } from './schema.js';

/** A hint entry an agent may be given: the track manifest's own, or an accepted generated hint from the cache. */
export type OfferedHintEntry = HintEntry & {
  /** Set for an accepted generated hint: its file (absolute) and who wrote it from what. */
  generated?: { file: string; meta: GeneratedHintMeta };
};

export interface OfferedHints extends HintManifest {
  hints: OfferedHintEntry[];
}

/**
 * The track's hint manifest plus every accepted generated hint for a (record, level) the manifest lacks: a bundled
 * or upstream hint of the same level wins, being a person's own account of the change. Drafts and rejected hints
 * are never read here.
 */
export async function loadOfferedHints(track: TrackName, cache: CacheLayout, root: string = packageRoot): Promise<OfferedHints> {
  return withAcceptedHints(await loadHints(track, root), cache);
}

export async function withAcceptedHints(manifest: HintManifest, cache: CacheLayout): Promise<OfferedHints> {
  const has = new Set(manifest.hints.map((h) => `${h.record}/${h.level}`));
  const generated: OfferedHintEntry[] = [];
  for (const record of await recordsWithGeneratedHints(cache, manifest.track)) {
    for (const level of GENERATED_LEVELS) {
      if (has.has(`${record}/${level}`)) continue;
      const accepted = await readGeneratedHint(cache, manifest.track, record, level, 'accepted');
      if (!accepted) continue;
      generated.push({
        record,
        level,
        kind: GENERATED_KIND[level],
        path: `r${String(record).padStart(2, '0')}/L${level}.md`,
        sha256: accepted.meta.text_sha256,
        generated: { file: accepted.path, meta: accepted.meta },
      });
    }
  }
  return { ...manifest, hints: [...manifest.hints, ...generated] };
}

/** An accepted generated hint's text, refused when the file no longer matches the sha256 its review recorded. */
export function checkedGeneratedText(entry: Required<Pick<OfferedHintEntry, 'generated'>>, text: string): string {
  if (sha256Hex(text) !== entry.generated.meta.text_sha256) {
    const m = entry.generated.meta;
    throw new UserError(
      `the accepted generated hint ${entry.generated.file} was changed after its review (sha256 differs from its sidecar)`,
      `restore it, or generate and review it again: speedrun hints generate --track ${m.track} --record ${m.record} --levels L${m.level} --model ${m.model} --force`,
    );
  }
  return text;
}
