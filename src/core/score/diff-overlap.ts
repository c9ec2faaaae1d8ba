import { diffArrays } from 'diff';
import { codeLines } from './code-lines.js';

/**
 * Diff overlap: how much of the true change (record i → record i+1) a node's change (record i → the node's script)
 * made, with no model (issue 17, the fallback of code distance; README "Reports"). Both diffs are taken over the
 * scripts' code lines (`codeLines`: comments, blank lines and docstrings dropped, whitespace removed), and each
 * changed line is a key: "-" + the line for a line removed, "+" + the line for a line added. The true diff and the
 * node's diff are multisets of keys; the lines they share, counted with multiplicity, are the matched lines:
 *
 *   recall    = matched / changed lines of the true diff
 *   precision = matched / changed lines of the node's diff (null when the node changed nothing)
 *   f1        = their harmonic mean (0 when nothing matched)
 *
 * A hunk of the true diff is a run of changed lines between two unchanged ones (no context lines); it is reproduced
 * when every one of its changed lines is matched. Where a key occurs more often in the true diff than in the node's,
 * the node's copies match the true diff's first occurrences, in script order, so the hunk count is deterministic.
 *
 * Limits, on purpose: the same change written differently (another name, another but equivalent expression, the
 * code moved into a function) scores low; lines are compared as a whole, so a half-right line is a miss.
 */

export interface LineDiff {
  /** Changed lines as keys ("-line" / "+line"), in script order. */
  keys: string[];
  /** Per key, the index of its hunk (0, 1, …). */
  hunkOf: number[];
  hunks: number;
}

export interface DiffOverlap {
  recall: number;
  precision: number | null;
  f1: number;
  hunks_reproduced: number;
  hunks_total: number;
  /** Changed code lines (removed + added) of the true diff and of the node's, and how many of them matched. */
  true_lines: number;
  node_lines: number;
  matched_lines: number;
}

/** The changed code lines from one script to another, grouped into hunks. */
export function lineDiff(before: string, after: string): LineDiff {
  const a = codeLines(before).map((l) => l.key);
  const b = codeLines(after).map((l) => l.key);
  const keys: string[] = [];
  const hunkOf: number[] = [];
  let hunks = 0;
  let inHunk = false;
  for (const part of diffArrays(a, b)) {
    if (!part.added && !part.removed) {
      inHunk = false;
      continue;
    }
    if (!inHunk) hunks++;
    inHunk = true;
    for (const line of part.value) {
      keys.push(`${part.added ? '+' : '-'}${line}`);
      hunkOf.push(hunks - 1);
    }
  }
  return { keys, hunkOf, hunks };
}

/** The overlap of a node's diff with the true diff; null when the true diff changes no code line (nothing to match). */
export function diffOverlap(truth: LineDiff, node: LineDiff): DiffOverlap | null {
  if (truth.keys.length === 0) return null;
  const left = new Map<string, number>();
  for (const key of node.keys) left.set(key, (left.get(key) ?? 0) + 1);
  const missed = new Set<number>();
  let matched = 0;
  truth.keys.forEach((key, i) => {
    const n = left.get(key) ?? 0;
    if (n > 0) {
      left.set(key, n - 1);
      matched++;
    } else missed.add(truth.hunkOf[i]!);
  });
  const recall = matched / truth.keys.length;
  const precision = node.keys.length === 0 ? null : matched / node.keys.length;
  const f1 = matched === 0 || precision === null ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    recall,
    precision,
    f1,
    hunks_reproduced: truth.hunks - missed.size,
    hunks_total: truth.hunks,
    true_lines: truth.keys.length,
    node_lines: node.keys.length,
    matched_lines: matched,
  };
}
