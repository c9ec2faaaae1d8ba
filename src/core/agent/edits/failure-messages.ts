import { closestRegion, locate } from './locate.js';

/** How failures name things, so SEARCH/REPLACE blocks and diff hunks get messages in their own terms. */
export interface Wording {
  /** 'block' or 'hunk' */
  unit: string;
  /** what the search lines are called, e.g. "SEARCH lines" or "context and '-' lines" */
  searchLines: string;
  /** what to do when the search lines are not found */
  fixMissing: string;
  /** the failure for an empty search on a non-empty script */
  emptySearch: string;
}

/** The messages sent back to the model when a block or hunk cannot be placed: what failed, where to look, what to do. */

const QUOTED_LINES = 6;
const SHOWN_LINES = 30;
const LISTED_PLACES = 10;
// A couple of lines around the closest window show the model what it skipped or added at the edges.
const AROUND = 2;

export function emptySearchMessage(name: string, wording: Wording): string {
  return `${capitalise(name)} ${wording.emptySearch}`;
}

export function ambiguousMessage(name: string, wording: Wording, search: readonly string[], starts: readonly number[]): string {
  const listed = starts.slice(0, LISTED_PLACES).map((s) => String(s + 1));
  const places = starts.length > LISTED_PLACES ? `${listed.join(', ')}, …` : listed.join(', ');
  return [
    `${capitalise(name)} was not applied: its ${wording.searchLines} match ${starts.length} places (lines ${places}); add surrounding lines so it is unique.`,
    quote(name, wording, search),
  ].join('\n');
}

export interface MissingContext {
  name: string;
  /** 0-based position of the failed edit: the edits before it were applied to `lines` */
  index: number;
  wording: Wording;
  search: readonly string[];
  lines: readonly string[];
  original: readonly string[];
}

export function missingMessage({ name, index, wording, search, lines, original }: MissingContext): string {
  const parts = [`${capitalise(name)} was not applied: its ${wording.searchLines} were not found in the script.`, quote(name, wording, search)];
  const region = closestRegion(lines, search);
  const after = index > 0 ? ` (after ${wording.unit}s 1–${index} were applied)` : '';
  if (region) {
    const span = region.end - region.start === 1 ? `line ${region.start + 1}` : `lines ${region.start + 1}–${region.end}`;
    const differs = firstDifference(lines, search, region.start, region.end);
    const from = Math.max(0, region.start - AROUND);
    const to = Math.min(lines.length, region.end + AROUND);
    parts.push(`The closest match in the script${after} is ${span}, shown with the lines around it:\n${numbered(lines, from, to, differs)}`);
    if (differs !== undefined) {
      const j = differs - region.start;
      parts.push(
        `The first difference: line ${j + 1} of the ${wording.searchLines} is ${JSON.stringify(search[j])}, but script line ${differs + 1} is ${JSON.stringify(lines[differs])}.`,
      );
    }
  } else {
    parts.push('The script is empty.');
  }
  // A later edit that searches for lines an earlier edit already rewrote is a common, confusing case.
  if (index > 0 && locate(original, search).found) {
    parts.push(
      `These lines are in the original script, but an earlier ${wording.unit} already changed them: ` +
        `search for the lines as the earlier ${wording.unit}s leave them, or merge the ${wording.unit}s into one.`,
    );
  }
  parts.push(wording.fixMissing);
  return parts.join('\n');
}

/** The script index of the first line in [start, end) that differs from the search line at the same offset. */
function firstDifference(lines: readonly string[], search: readonly string[], start: number, end: number): number | undefined {
  for (let i = start; i < end; i++) if (lines[i] !== search[i - start]) return i;
  return undefined;
}

function quote(name: string, wording: Wording, search: readonly string[]): string {
  const shown = search.slice(0, QUOTED_LINES).map((line) => `  |${line === '' ? '' : ` ${line}`}`);
  const more = search.length > QUOTED_LINES ? [`  (… ${search.length - QUOTED_LINES} more lines)`] : [];
  const head = search.length > QUOTED_LINES ? 'begin' : 'are';
  return [`The ${wording.searchLines} of ${name} ${head}:`, ...shown, ...more].join('\n');
}

/**
 * Script lines [start, end) with 1-based line numbers. A long excerpt is cut to SHOWN_LINES, starting a few
 * lines before `focus` (the first difference) so the part that matters is in view.
 */
function numbered(lines: readonly string[], start: number, end: number, focus?: number): string {
  const first = end - start > SHOWN_LINES && focus !== undefined ? Math.max(start, Math.min(focus - 5, end - SHOWN_LINES)) : start;
  const last = Math.min(end, first + SHOWN_LINES);
  const width = String(last).length;
  const shown = lines.slice(first, last).map((line, i) => `  ${String(first + i + 1).padStart(width)} |${line === '' ? '' : ` ${line}`}`);
  if (first > start) shown.unshift(`  (… ${first - start} lines before)`);
  if (end > last) shown.push(`  (… ${end - last} more lines)`);
  return shown.join('\n');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
