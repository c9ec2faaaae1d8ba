import { findFencedBlocks } from './fences.js';

/**
 * A forgiving reader of unified diffs as models write them: `@@` headers with wrong or missing numbers, hunk
 * line counts that do not add up, empty context lines that lost their leading space, prose around the diff.
 */

export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

export interface Hunk {
  /** 1-based, in answer order across all file headers */
  number: number;
  lines: DiffLine[];
}

export interface ParsedDiff {
  /** the text that holds the diff: the ```diff blocks when there are any, else the whole answer */
  text: string;
  /** file names from ---/+++ headers, a/ and b/ prefixes removed, /dev/null left out, each once */
  files: string[];
  hunks: Hunk[];
}

export type DiffParse = { ok: true; diff: ParsedDiff } | { ok: false; problem: string };

const DIFF_LABELS = new Set(['diff', 'patch', 'udiff']);
const HUNK_HEADER = /^@@/;
const FILE_HEADER = /^(---|\+\+\+)(\s|$)/;
// Git and svn metadata that may sit between file sections.
const METADATA = /^(diff --git |diff -|index |Index: |={5,}$|new file mode |deleted file mode |similarity index |rename (from|to) )/;

/** The diff text of an answer: its ```diff blocks, else fenced blocks holding hunks, else the answer itself. */
export function extractDiffText(response: string): { ok: true; text: string; fenced: boolean } | { ok: false; problem: string } {
  const scan = findFencedBlocks(response);
  if (scan.unclosed && (DIFF_LABELS.has(scan.unclosed.label) || scan.unclosed.lines.some((l) => HUNK_HEADER.test(l)))) {
    return { ok: false, problem: `The code block opened at line ${scan.unclosed.line} of your answer is never closed (was the answer cut off?).` };
  }
  let chosen = scan.blocks.filter((b) => DIFF_LABELS.has(b.label));
  if (chosen.length === 0) chosen = scan.blocks.filter((b) => b.lines.some((l) => HUNK_HEADER.test(l)));
  if (chosen.length === 0) return { ok: true, text: response, fenced: false };
  return { ok: true, text: chosen.map((b) => b.lines.join('\n')).join('\n'), fenced: true };
}

/**
 * Reads hunks. Inside a fence every line of a hunk must be a diff line; in an unfenced answer a line that is
 * not one ends the hunk (it is prose).
 */
export function parseDiff(text: string, fenced: boolean): DiffParse {
  const lines = text.split('\n');
  const files = new Set<string>();
  const hunks: Hunk[] = [];
  let hunk: Hunk | undefined;
  // Empty lines count as empty context, but trailing ones are dropped: they are the gap before prose.
  let trailingEmpty = 0;

  const close = (): void => {
    if (hunk) hunk.lines.splice(hunk.lines.length - trailingEmpty, trailingEmpty);
    hunk = undefined;
    trailingEmpty = 0;
  };

  for (const [i, line] of lines.entries()) {
    if (isFileHeader(lines, i, hunk !== undefined)) {
      close();
      const name = fileName(line);
      if (name) files.add(name);
    } else if (HUNK_HEADER.test(line)) {
      close();
      hunk = { number: hunks.length + 1, lines: [] };
      hunks.push(hunk);
    } else if (METADATA.test(line)) {
      close();
    } else if (hunk) {
      const op = line[0];
      if (line === '') {
        hunk.lines.push({ op: ' ', text: '' });
        trailingEmpty++;
        continue;
      }
      if (op === ' ' || op === '-' || op === '+') hunk.lines.push({ op, text: line.slice(1) });
      else if (op === '\\')
        continue; // "\ No newline at end of file"
      else if (fenced) {
        return {
          ok: false,
          problem: `Hunk ${hunk.number} has a line that is not a diff line: "${line}". Every line of a hunk starts with ' ' (unchanged), '-' (removed) or '+' (added).`,
        };
      } else close();
    }
    trailingEmpty = 0;
  }
  close();
  const empty = hunks.find((h) => h.lines.length === 0);
  if (empty) return { ok: false, problem: `Hunk ${empty.number} has no lines after its @@ header.` };
  return { ok: true, diff: { text, files: [...files], hunks } };
}

/**
 * Whether line i is a ---/+++ file header. Inside a hunk a '---' line could be a removed "--" line, so there it
 * counts only as part of a '---'/'+++' pair (the next file's header).
 */
function isFileHeader(lines: readonly string[], i: number, inHunk: boolean): boolean {
  const line = lines[i]!;
  if (!FILE_HEADER.test(line)) return false;
  if (!inHunk) return true;
  if (line.startsWith('---')) return lines[i + 1]?.startsWith('+++ ') ?? false;
  return lines[i - 1]?.startsWith('--- ') ?? false;
}

/** The file a header names, without a/ or b/ and timestamps; undefined for /dev/null or no name. */
function fileName(header: string): string | undefined {
  const name = header.slice(3).split('\t')[0]!.trim();
  if (name === '' || name === '/dev/null') return undefined;
  return name.replace(/^[ab]\//, '');
}
