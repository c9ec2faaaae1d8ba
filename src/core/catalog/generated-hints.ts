import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import type { CacheLayout } from '../paths.js';
import { sha256Hex } from './files.js';
import { TrackName } from './schema.js';

/**
 * Hints a model wrote (`speedrun hints generate`) and a person reviewed (`speedrun hints review`), kept in the cache,
 * never in the package: `<cache>/hints/<track>/r<NN>/` holds per level
 *   L<k>.draft.md + L<k>.draft.json       the draft awaiting review (one per level; a new one replaces it)
 *   L<k>.md + L<k>.json                   the accepted hint, the only kind ever offered to an agent
 *   L<k>.rejected-<stamp>.md + .json      every rejected draft, with the reason
 * and calls.jsonl, every model call made for the record's hints. The JSON sidecar says who wrote the text and from what.
 */

export const GENERATED_LEVELS = [1, 2, 3] as const;
export type GeneratedLevel = (typeof GENERATED_LEVELS)[number];

/** The kind a level has in the hint manifests (hints/<track>.json). */
export const GENERATED_KIND = { 1: 'pseudo', 2: 'description', 3: 'paper' } as const;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const GeneratedHintStatus = z.enum(['draft', 'accepted', 'rejected']);
export type GeneratedHintStatus = z.infer<typeof GeneratedHintStatus>;

export const GeneratedHintMeta = z.object({
  version: z.literal(1),
  track: TrackName,
  /** The task: record N's script, aiming for record N+1. */
  record: z.number().int().positive(),
  next_record: z.number().int().positive(),
  level: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  status: GeneratedHintStatus,
  /** sha256 of the .md beside it: an accepted hint edited after review is refused, not offered. */
  text_sha256: Sha256,
  model: z.string(),
  model_id: z.string(),
  prompt_version: z.string(),
  prompt_sha256: Sha256,
  /** The true diff (record N → N+1) and description the model was shown. */
  diff_sha256: Sha256,
  description: z.string(),
  created_at: z.string(),
  calls: z.number().int().positive(),
  malformed_answers: z.number().int().nonnegative(),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), cost_usd: z.number().nullable() }),
  /** Null while a draft. */
  review: z.object({ decision: z.enum(['accepted', 'rejected']), at: z.string(), reason: z.string().nullable() }).nullable(),
});
export type GeneratedHintMeta = z.infer<typeof GeneratedHintMeta>;

export interface GeneratedHint {
  meta: GeneratedHintMeta;
  /** The markdown file. */
  path: string;
  text: string;
}

/** `<cache>/hints/<track>`: every generated hint of a track. */
export function generatedHintsRoot(cache: CacheLayout, track: string): string {
  return join(cache.root, 'hints', track);
}

/** The folder of record n's generated hints (r01, r02, ... like the bundled hints/<track>/). */
export function generatedHintDir(cache: CacheLayout, track: string, record: number): string {
  return join(generatedHintsRoot(cache, track), `r${String(record).padStart(2, '0')}`);
}

/** Where the model calls made for a record's hints are appended. */
export function hintCallsFile(cache: CacheLayout, track: string, record: number): string {
  return join(generatedHintDir(cache, track, record), 'calls.jsonl');
}

function baseName(level: number, status: GeneratedHintStatus): string {
  return status === 'draft' ? `L${level}.draft` : `L${level}`;
}

/** The draft or accepted hint of a level, or null when there is none. A sidecar that does not parse is refused. */
export async function readGeneratedHint(
  cache: CacheLayout,
  track: string,
  record: number,
  level: number,
  status: 'draft' | 'accepted',
): Promise<GeneratedHint | null> {
  const dir = generatedHintDir(cache, track, record);
  return readPair(join(dir, `${baseName(level, status)}.json`), join(dir, `${baseName(level, status)}.md`));
}

async function readPair(metaPath: string, textPath: string): Promise<GeneratedHint | null> {
  let raw: string;
  try {
    raw = await readFile(metaPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let json: unknown = null;
  try {
    json = JSON.parse(raw);
  } catch {
    // reported below with the schema's failure
  }
  const parsed = GeneratedHintMeta.safeParse(json);
  if (!parsed.success) throw new UserError(`${metaPath} is not a generated hint's sidecar`, 'delete it and the .md beside it, then generate the hint again');
  const text = await readFile(textPath, 'utf8').catch(() => {
    throw new UserError(`${textPath} is missing beside ${metaPath}`, 'delete the sidecar and generate the hint again');
  });
  return { meta: parsed.data, path: textPath, text };
}

/** Every rejected draft of a record, oldest first. */
export async function readRejectedHints(cache: CacheLayout, track: string, record: number): Promise<GeneratedHint[]> {
  const dir = generatedHintDir(cache, track, record);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^L\d\.rejected-[\w-]+\.json$/.test(n)).sort();
  const found = await Promise.all(names.map((n) => readPair(join(dir, n), join(dir, n.replace(/\.json$/, '.md')))));
  return found.filter((h): h is GeneratedHint => h !== null);
}

/** The records of a track that have a folder of generated hints. */
export async function recordsWithGeneratedHints(cache: CacheLayout, track: string): Promise<number[]> {
  const names = await readdir(generatedHintsRoot(cache, track)).catch(() => [] as string[]);
  return names
    .map((n) => /^r(\d+)$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Writes a new draft (text first, then its sidecar, each atomically), replacing any draft of the level. */
export async function writeDraftHint(
  cache: CacheLayout,
  meta: Omit<GeneratedHintMeta, 'status' | 'text_sha256' | 'review'>,
  text: string,
): Promise<GeneratedHint> {
  const dir = generatedHintDir(cache, meta.track, meta.record);
  const full: GeneratedHintMeta = GeneratedHintMeta.parse({ ...meta, status: 'draft', text_sha256: sha256Hex(text), review: null });
  const path = join(dir, `${baseName(meta.level, 'draft')}.md`);
  await writeFileAtomic(path, text);
  await writeFileAtomic(join(dir, `${baseName(meta.level, 'draft')}.json`), `${JSON.stringify(full, null, 2)}\n`);
  return { meta: full, path, text };
}

/**
 * Settles a draft: accepted, it becomes L<k>.md (replacing an earlier accepted hint); rejected, it is kept as
 * L<k>.rejected-<stamp>.md with the reason. The text is the draft file as it is now, so a reviewer may edit it
 * before accepting; its sha256 is taken again. The draft's files are removed last.
 */
export async function settleDraft(draft: GeneratedHint, decision: 'accepted' | 'rejected', reason: string | null, at: Date): Promise<GeneratedHint> {
  const { meta } = draft;
  const text = await readFile(draft.path, 'utf8');
  const dir = dirname(draft.path);
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const name = decision === 'accepted' ? `L${meta.level}` : `L${meta.level}.rejected-${stamp}`;
  const settled = GeneratedHintMeta.parse({ ...meta, status: decision, text_sha256: sha256Hex(text), review: { decision, at: at.toISOString(), reason } });
  const path = join(dir, `${name}.md`);
  // The sidecar goes first on acceptance: an accepted .md is offered only with a sidecar whose sha256 matches it.
  await writeFileAtomic(join(dir, `${name}.json`), `${JSON.stringify(settled, null, 2)}\n`);
  await writeFileAtomic(path, text);
  await rm(join(dir, `${baseName(meta.level, 'draft')}.json`), { force: true });
  await rm(draft.path, { force: true });
  return { meta: settled, path, text };
}
