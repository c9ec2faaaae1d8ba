import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UserError } from '../errors.js';
import { packageRoot, type CacheLayout } from '../paths.js';
import { loadTrack, resolveManifestFile } from './catalog.js';
import { checkedGeneratedText, loadOfferedHints, type OfferedHintEntry } from './offered-hints.js';
import type { HintManifest, TrackName } from './schema.js';

/**
 * Levels an agent may receive from the hints manifest. A manifest's level-0 entries are upstream's human diff, for
 * judging only; the agent's L0 is the one-line hint instead: record i+1's description from the track's records
 * manifest, which every task has (composeHint writes it).
 */
const AGENT_HINT_LEVELS = [1, 2, 3, 9] as const;
export const ONE_LINE_LEVEL = 0;

const HEADINGS: Record<number, string> = {
  0: 'the change in one line',
  1: 'pseudocode of the change',
  2: 'text description of the change',
  3: 'mini-paper about the change',
  9: 'extra documentation',
};

const VALID_SPECS =
  "none, L0 (the next record's one-line description), L1, L2, L3, L9 (extra documents, for the records upstream ships them for), or levels joined with + (L0+L1, L1+L2, L1+L2+L3, L1+L9, ...)";

/** `none` → [], `L2+L1+L2` → [1, 2]. Which levels a record has is checked against its manifest (requireHintLevels). */
export function parseHintSpec(spec: string): number[] {
  const text = spec.trim();
  if (text.toLowerCase() === 'none') return [];
  const parts = text.split('+').map((p) => p.trim());
  const levels = new Set<number>();
  for (const part of parts) {
    const m = /^[Ll]([01239])$/.exec(part);
    if (!m?.[1]) throw new UserError(`bad hint spec ${JSON.stringify(spec)}`, `use ${VALID_SPECS}`);
    levels.add(Number(m[1]));
  }
  return [...levels].sort((a, b) => a - b);
}

/** `[]` → `none`, `[1, 2]` → `L1+L2`. */
export function formatHintSpec(levels: readonly number[]): string {
  return levels.length === 0
    ? 'none'
    : [...new Set(levels)]
        .sort((a, b) => a - b)
        .map((l) => `L${l}`)
        .join('+');
}

/**
 * The levels an agent may receive for a task (record n → n+1), sorted: exactly the levels `--hint` accepts for the
 * record (parseHintSpec and requireHintLevels agree with it). L0, the one-line hint, is there when the caller knows
 * the record starts a task (`startsTask`); the human diff never is.
 */
export function availableHintLevels(hints: HintManifest, record: number, startsTask = false): number[] {
  const levels = hints.hints.filter((h) => h.record === record && (AGENT_HINT_LEVELS as readonly number[]).includes(h.level)).map((h) => h.level as number);
  return [...new Set([...(startsTask ? [ONE_LINE_LEVEL] : []), ...levels])].sort((a, b) => a - b);
}

/** The records with a hint at `level`, e.g. the few that upstream ships level-9 documents for. */
export function recordsWithHintLevel(hints: HintManifest, level: number): number[] {
  return [...new Set(hints.hints.filter((h) => h.level === level).map((h) => h.record))].sort((a, b) => a - b);
}

/** Refuses, before any file is read or run started, a level the record does not have, saying where it exists. */
export function requireHintLevels(hints: HintManifest, record: number, levels: readonly number[]): void {
  const available = availableHintLevels(hints, record);
  // L0 comes from the records manifest, not this one: composeHint refuses it for a record with no next record.
  const missing = levels.filter((level) => level !== ONE_LINE_LEVEL && !available.includes(level));
  if (missing.length === 0) return;
  const here = available.length
    ? `record ${record} has ${available.map((l) => `L${l}`).join(', ')}`
    : `record ${record} has no hints; pick a record that starts a task`;
  const elsewhere = missing.map((level) => {
    const records = recordsWithHintLevel(hints, level);
    return records.length
      ? `L${level} exists for record${records.length > 1 ? 's' : ''} ${records.join(', ')}`
      : `no record of track ${hints.track} has L${level}`;
  });
  const what = missing.map((l) => (l === 9 ? 'level-9 documents (L9)' : `level-${l} hint`)).join(' or ');
  throw new UserError(`track ${hints.track} has no ${what} for record ${record}`, `${elsewhere.join('; ')}; ${here}`);
}

/**
 * The hint specs a picker offers for a record with these levels: none, each level alone, then the cumulative
 * L1+L2, L1+L2+L3, and with level 9 also L1+L9 and everything. Other combinations still work when typed.
 */
export function hintSpecChoices(levels: readonly number[]): string[] {
  const has = (...wanted: number[]) => wanted.every((l) => levels.includes(l));
  const specs = [[], ...levels.map((l) => [l]), [1, 2], [1, 2, 3], [1, 9], [...levels]].filter((spec) => has(...spec));
  return [...new Set(specs.map(formatHintSpec))];
}

export interface ComposeHintOptions {
  track: TrackName;
  record: number;
  levels: number[];
  cache: CacheLayout;
  /** Package root for bundled tracks and for reading hints/<track>.json. */
  root?: string;
  /** Use this manifest instead of reading hints/<track>.json and the accepted generated hints (loadOfferedHints). */
  hints?: HintManifest;
}

/** The hint as an agent receives it: each requested level under its own heading, in level order. */
export async function composeHint(opts: ComposeHintOptions): Promise<string> {
  const root = opts.root ?? packageRoot;
  const levels = [...new Set(opts.levels)].sort((a, b) => a - b);
  if (levels.length === 0) return '';
  const manifest = opts.hints ?? (await loadOfferedHints(opts.track, opts.cache, root));
  requireHintLevels(manifest, opts.record, levels);
  const entries = manifest.hints.filter((h) => h.record === opts.record && h.level !== ONE_LINE_LEVEL);
  const sections: string[] = [];
  for (const level of levels) {
    if (level === ONE_LINE_LEVEL) sections.push(await oneLineSection(opts));
    for (const entry of entries.filter((h) => h.level === level)) sections.push(await section(entry, opts, manifest, root));
  }
  return `${sections.join('\n\n')}\n`;
}

/** L0: the next record's own one-line description from the track's records manifest (the public table's row). */
async function oneLineSection(opts: ComposeHintOptions): Promise<string> {
  const next = (await loadTrack(opts.track, opts.root)).records.find((r) => r.number === opts.record + 1);
  if (!next)
    throw new UserError(
      `record ${opts.record} of track ${opts.track} starts no task: there is no record ${opts.record + 1} to describe`,
      'pick a record that starts a task (speedrun records list)',
    );
  return `## Hint level 0: ${HEADINGS[ONE_LINE_LEVEL]}\n\nThe next record's change: ${next.description}`;
}

async function section(entry: OfferedHintEntry, opts: ComposeHintOptions, manifest: HintManifest, root: string): Promise<string> {
  const raw = entry.generated
    ? checkedGeneratedText({ generated: entry.generated }, await readFile(entry.generated.file, 'utf8'))
    : await readFile(await resolveManifestFile(opts.track, manifest.source, entry, opts.cache, root), 'utf8');
  // Upstream files often open with blank lines; the heading already separates sections.
  const text = raw.replace(/^(\s*\n)+/, '').trimEnd();
  const title = entry.level === 9 ? `${HEADINGS[9]} (${basename(entry.path)})` : HEADINGS[entry.level];
  return `## Hint level ${entry.level}: ${title}\n\n${text}`;
}
