import { indentOf, isBlank } from './text-lines.js';

/**
 * Finding where a model's "search" lines sit in a script, shared by the SEARCH/REPLACE and udiff formats.
 * Models copy lines imperfectly, so matching goes from strict to tolerant: exact, then ignoring trailing
 * whitespace, then ignoring a uniform difference of indentation. The first level with any match decides.
 */

/** A uniform indentation difference: the script's lines carry `add` more (or `remove` less) leading whitespace. */
export interface IndentShift {
  add: string;
  remove: string;
}

export type Location =
  | { found: true; start: number; tolerance: 'exact' | 'trailing-whitespace' }
  | { found: true; start: number; tolerance: 'indentation'; shift: IndentShift }
  /** `starts` is empty when nothing matched, and holds every match (0-based) when several did. */
  | { found: false; starts: number[] };

/** Where `search` (non-empty) occurs exactly once in `lines`, at the strictest level that matches at all. */
export function locate(lines: readonly string[], search: readonly string[]): Location {
  if (search.length === 0) throw new Error('locate needs at least one search line');
  const exact = matchStarts(lines, search, (a, b) => a === b);
  if (exact.length === 1) return { found: true, start: exact[0]!, tolerance: 'exact' };
  if (exact.length > 1) return { found: false, starts: exact };

  const trailing = matchStarts(lines, search, (a, b) => a.trimEnd() === b.trimEnd());
  if (trailing.length === 1) return { found: true, start: trailing[0]!, tolerance: 'trailing-whitespace' };
  if (trailing.length > 1) return { found: false, starts: trailing };

  const shifted: Array<{ start: number; shift: IndentShift }> = [];
  for (let start = 0; start + search.length <= lines.length; start++) {
    const shift = indentShiftAt(lines, search, start);
    if (shift) shifted.push({ start, shift });
  }
  if (shifted.length === 1) return { found: true, ...shifted[0]!, tolerance: 'indentation' };
  return { found: false, starts: shifted.map((s) => s.start) };
}

function matchStarts(lines: readonly string[], search: readonly string[], same: (line: string, wanted: string) => boolean): number[] {
  const starts: number[] = [];
  for (let start = 0; start + search.length <= lines.length; start++) {
    let j = 0;
    while (j < search.length && same(lines[start + j]!, search[j]!)) j++;
    if (j === search.length) starts.push(start);
  }
  return starts;
}

/** The shift that makes `search` equal the script's lines at `start`, if one shift does it for every line. */
function indentShiftAt(lines: readonly string[], search: readonly string[], start: number): IndentShift | undefined {
  let shift: IndentShift | undefined;
  for (let j = 0; j < search.length; j++) {
    const wanted = search[j]!;
    const line = lines[start + j]!;
    if (line.trim() !== wanted.trim()) return undefined;
    if (isBlank(wanted)) continue; // blank lines carry no indentation worth comparing
    const have = indentOf(line);
    const want = indentOf(wanted);
    const here = have.startsWith(want)
      ? { add: have.slice(want.length), remove: '' }
      : want.startsWith(have)
        ? { add: '', remove: want.slice(have.length) }
        : undefined;
    if (!here) return undefined;
    if (!shift) shift = here;
    else if (shift.add !== here.add || shift.remove !== here.remove) return undefined;
  }
  return shift;
}

/** A replacement line adapted to how the search lines were found (re-indented for an indentation match). */
export function adaptLine(line: string, location: Location & { found: true }): string {
  if (location.tolerance !== 'indentation' || isBlank(line)) return line;
  const { add, remove } = location.shift;
  if (add) return add + line;
  // Remove the shift, or as much leading whitespace as the line has when it is indented less.
  if (line.startsWith(remove)) return line.slice(remove.length);
  return line.slice(Math.min(indentOf(line).length, remove.length));
}

/** A phrase for a tolerance used, e.g. "ignoring indentation (the script's lines are indented 4 more spaces)". */
export function describeTolerance(location: Location & { found: true }): string | undefined {
  switch (location.tolerance) {
    case 'exact':
      return undefined;
    case 'trailing-whitespace':
      return 'ignoring trailing whitespace';
    case 'indentation': {
      const { add, remove } = location.shift;
      const amount = describeWhitespace(add || remove);
      return `ignoring indentation (the script's lines are indented ${amount} ${add ? 'more' : 'less'}; the replacement was re-indented to match)`;
    }
  }
}

function describeWhitespace(ws: string): string {
  if (/^ +$/.test(ws)) return ws.length === 1 ? '1 space' : `${ws.length} spaces`;
  if (/^\t+$/.test(ws)) return ws.length === 1 ? '1 tab' : `${ws.length} tabs`;
  return JSON.stringify(ws);
}

/**
 * The window of the script most like `search`: same length, highest mean line similarity over the search's
 * non-blank lines (each line compared to the script line at the same offset). Undefined for an empty script.
 * Cost is (script lines × search lines) cheap comparisons of precomputed bigram sets.
 */
export function closestRegion(lines: readonly string[], search: readonly string[]): { start: number; end: number } | undefined {
  if (lines.length === 0) return undefined;
  const size = Math.min(search.length, lines.length);
  if (size === 0) return undefined;
  const scriptGrams = lines.map(bigrams);
  const offsets = [...Array(size).keys()].filter((j) => !isBlank(search[j]!));
  const scored = offsets.length > 0 ? offsets : [...Array(size).keys()];
  const searchGrams = search.map(bigrams);

  let best = { start: 0, score: -1 };
  for (let start = 0; start + size <= lines.length; start++) {
    let score = 0;
    for (const j of scored) score += similarity(searchGrams[j]!, scriptGrams[start + j]!);
    if (score > best.score) best = { start, score };
  }
  return { start: best.start, end: best.start + size };
}

/** A line's character bigrams (indentation and runs of spaces ignored), as sorted numbers for a merge count. */
function bigrams(line: string): number[] {
  const text = line.trim().replace(/\s+/g, ' ');
  if (text.length === 1) return [text.charCodeAt(0)];
  const grams: number[] = [];
  for (let i = 0; i + 1 < text.length; i++) grams.push(text.charCodeAt(i) * 65536 + text.charCodeAt(i + 1));
  return grams.sort((a, b) => a - b);
}

/** Dice coefficient of two bigram multisets: 1 for equal lines (two blank lines included), 0 for nothing shared. */
function similarity(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 1 : 0;
  let shared = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    if (a[i]! === b[j]!) {
      shared++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return (2 * shared) / (a.length + b.length);
}
