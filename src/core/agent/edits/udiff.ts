import { applyPatch, parsePatch } from 'diff';
import { applyReplacements, type Replacement } from './apply-replacements.js';
import type { Wording } from './failure-messages.js';
import type { EditFormat, EditOutcome } from './edit-format.js';
import { normaliseNewlines } from './text-lines.js';
import { extractDiffText, parseDiff, type Hunk } from './udiff-parse.js';

/**
 * Unified diffs of the script. A diff that is valid as written is applied by the `diff` package (which uses
 * the @@ line numbers to place hunks); one that is not — models get line numbers and counts wrong, or write
 * bare `@@ ... @@` headers — is applied hunk by hunk, each located by its context and removed lines.
 */

const FORMAT = [
  'Write your edit as a unified diff of the script in a ```diff block:',
  '```diff',
  '--- a/train_gpt.py',
  '+++ b/train_gpt.py',
  '@@ -40,3 +40,3 @@',
  ' an unchanged line, copied exactly (with a leading space)',
  '-a line to remove, copied exactly',
  '+a line to add',
  ' another unchanged line',
  '```',
  'Every hunk needs a few unchanged lines around its change so it can be located.',
].join('\n');

const WORDING: Wording = {
  unit: 'hunk',
  searchLines: "context and '-' lines",
  fixMissing: "Copy the unchanged (' ') and removed ('-') lines exactly as they appear in the script, including indentation.",
  emptySearch: "has only '+' lines, so there is nowhere to put it: include a few unchanged lines around the change.",
};

const TOLERANT_NOTE =
  'the diff does not apply as written (its @@ line numbers or counts do not match the script, or its lines differ in whitespace); ' +
  "each hunk was placed by matching its context and '-' lines";

export function applyUdiff(script: string, response: string): EditOutcome {
  if (response.trim() === '') return { ok: false, message: `Your answer is empty. ${FORMAT}` };
  const extracted = extractDiffText(normaliseNewlines(response));
  if (!extracted.ok) return fail(extracted.problem);
  const parsed = parseDiff(extracted.text, extracted.fenced);
  if (!parsed.ok) return fail(parsed.problem);
  const { files, hunks } = parsed.diff;
  if (hunks.length === 0) return { ok: false, message: `Your answer contains no diff hunk (no line starting with @@), so nothing was changed. ${FORMAT}` };
  if (files.length > 1) {
    return fail(`The diff names ${files.length} files (${files.join(', ')}), but only the one script can be edited: put all hunks under one ---/+++ header.`);
  }

  const strict = applyStrictly(script, extracted.text, hunks.length);
  if (strict !== undefined) return { ok: true, script: strict, applied: hunks.length, notes: [] };

  const outcome = applyReplacements(script, hunks.map(toReplacement), WORDING);
  return outcome.ok ? { ...outcome, notes: [TOLERANT_NOTE, ...outcome.notes] } : outcome;
}

/**
 * The script patched by the `diff` package, or undefined when the diff is not valid for it as written. The
 * package must see the same hunks as our reader, so that it never applies part of what the model wrote.
 */
function applyStrictly(script: string, diffText: string, hunkCount: number): string | undefined {
  try {
    const patches = parsePatch(diffText).filter((p) => p.hunks.length > 0);
    const hunks = patches.flatMap((p) => p.hunks);
    if (hunks.length !== hunkCount) return undefined;
    // The package reads a bare "@@ ... @@" as a hunk at line NaN and may still apply it; that is our job.
    if (hunks.some((h) => !Number.isFinite(h.oldStart) || !Number.isFinite(h.newStart))) return undefined;
    let result = script;
    // Several headers for the same file are taken as successive edits of it.
    for (const patch of patches) {
      const patched = applyPatch(result, patch);
      if (patched === false) return undefined;
      result = patched;
    }
    return result;
  } catch {
    return undefined; // malformed as a strict diff (e.g. counts that do not add up): the tolerant path decides
  }
}

/** A hunk as a search/replace pair: what it expects (context and removed lines) and what it leaves. */
function toReplacement(hunk: Hunk): Replacement {
  const search: string[] = [];
  const replace: Replacement['replace'][number][] = [];
  for (const { op, text } of hunk.lines) {
    // Context lines stay as the script has them, whatever whitespace the model gave them.
    if (op === ' ') replace.push({ keep: search.length });
    if (op !== '+') search.push(text);
    if (op === '+') replace.push(text);
  }
  return { search, replace };
}

function fail(problem: string): EditOutcome {
  return { ok: false, message: `${problem}\nNothing was applied: the script is unchanged. Send the whole diff again, corrected.` };
}

export const udiffFormat: EditFormat = { name: 'udiff', apply: applyUdiff };
