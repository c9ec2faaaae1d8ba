import { applyReplacements, type Replacement } from './apply-replacements.js';
import type { Wording } from './failure-messages.js';
import type { EditFormat, EditOutcome } from './edit-format.js';
import { normaliseNewlines } from './text-lines.js';

/**
 * SEARCH/REPLACE blocks: each block names lines of the current script and the lines that replace them.
 * Everything outside the blocks (prose, code fences, a filename line) is ignored.
 */

const FORMAT = [
  'Write each edit as a block:',
  '<<<<<<< SEARCH',
  'lines copied exactly from the current script',
  '=======',
  'the lines that replace them',
  '>>>>>>> REPLACE',
].join('\n');

// Models miscount the marker characters; 5–9 of them, with surrounding spaces, are accepted.
const SEARCH_MARK = /^\s*<{5,9}\s*SEARCH\s*$/;
const DIVIDER = /^\s*={5,9}\s*$/;
const REPLACE_MARK = /^\s*>{5,9}\s*REPLACE\s*$/;

export type ParsedBlocks = { ok: true; blocks: Replacement[] } | { ok: false; message: string };

/** Finds every SEARCH/REPLACE block of an answer, in order; a malformed block is an error naming it. */
export function parseSearchReplaceBlocks(response: string): ParsedBlocks {
  const lines = normaliseNewlines(response).split('\n');
  const blocks: Replacement[] = [];
  // Where we are: outside a block, in its SEARCH part, or in its REPLACE part.
  let part: 'outside' | 'search' | 'replace' = 'outside';
  let search: string[] = [];
  let replace: string[] = [];
  let opened = 0;

  const malformed = (problem: string): ParsedBlocks => ({
    ok: false,
    message: `Block ${blocks.length + 1} is malformed: ${problem}\n${FORMAT}\nNothing was applied: the script is unchanged. Send all your edits again, corrected.`,
  });

  for (const [i, line] of lines.entries()) {
    const at = `line ${i + 1} of your answer`;
    if (SEARCH_MARK.test(line)) {
      if (part === 'search') return malformed(`it has no ======= line between its <<<<<<< SEARCH (line ${opened}) and the next <<<<<<< SEARCH (${at}).`);
      if (part === 'replace') return malformed(`it has no >>>>>>> REPLACE line after its ======= (the next <<<<<<< SEARCH is ${at}).`);
      part = 'search';
      opened = i + 1;
      search = [];
    } else if (part === 'search' && DIVIDER.test(line)) {
      part = 'replace';
      replace = [];
    } else if (REPLACE_MARK.test(line)) {
      if (part === 'outside') return malformed(`its >>>>>>> REPLACE (${at}) has no <<<<<<< SEARCH line before it.`);
      if (part === 'search') return malformed(`it has no ======= line between its <<<<<<< SEARCH (line ${opened}) and its >>>>>>> REPLACE (${at}).`);
      blocks.push({ search, replace });
      part = 'outside';
    } else if (part === 'search') {
      search.push(line);
    } else if (part === 'replace') {
      replace.push(line);
    }
  }
  if (part === 'search') return malformed(`its <<<<<<< SEARCH (line ${opened}) is followed by neither ======= nor >>>>>>> REPLACE (was the answer cut off?).`);
  if (part === 'replace') return malformed(`its <<<<<<< SEARCH (line ${opened}) has no >>>>>>> REPLACE line after its ======= (was the answer cut off?).`);
  return { ok: true, blocks };
}

const WORDING: Wording = {
  unit: 'block',
  searchLines: 'SEARCH lines',
  fixMissing: 'Copy the SEARCH lines exactly as they appear in the script, including indentation and blank lines.',
  emptySearch: 'has an empty SEARCH part, which only creates a new file, but the script is not empty: put the lines to change in SEARCH.',
};

export function applySearchReplace(script: string, response: string): EditOutcome {
  if (response.trim() === '') return { ok: false, message: `Your answer is empty. ${FORMAT}` };
  const parsed = parseSearchReplaceBlocks(response);
  if (!parsed.ok) return parsed;
  if (parsed.blocks.length === 0) {
    return {
      ok: false,
      message: `Your answer contains no SEARCH/REPLACE block, so nothing was changed. ${FORMAT}\nUse as many blocks as you need; they are applied in order.`,
    };
  }
  return applyReplacements(script, parsed.blocks, WORDING);
}

export const searchReplaceFormat: EditFormat = { name: 'search-replace', apply: applySearchReplace };
