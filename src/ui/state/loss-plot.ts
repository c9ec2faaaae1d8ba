import type { CurvePoint } from '../controller.js';
import { formatTime } from '../../core/format-time.js';

/**
 * A fixed-height character plot of validation loss: '•' the node, '·' the record's own curve, '─' the target.
 * Plain characters (no braille) so it reads in any terminal font and in 80 columns. Pure, for tests.
 */
export interface LossPlotInput {
  node: CurvePoint[];
  record: CurvePoint[] | null;
  targetLoss: number | null;
  /** Total characters per line, labels included. */
  width: number;
  /** Rows of the grid (the axis line comes on top of that). */
  height: number;
}

export const NODE_MARK = '•';
export const RECORD_MARK = '·';
export const TARGET_MARK = '─';
const LABEL_WIDTH = 6;

export function plotLoss(input: LossPlotInput): string[] {
  const record = input.record ?? [];
  const points = [...input.node, ...record];
  if (points.length === 0) return [];
  const gridWidth = Math.max(10, input.width - LABEL_WIDTH - 1);
  const height = Math.max(3, input.height);
  // Time is the axis that matters for a speedrun; steps stand in when some point has no time.
  const byTime = points.every((p) => p.train_time_ms !== null);
  const xOf = (p: CurvePoint) => (byTime ? (p.train_time_ms ?? 0) : p.step);
  const xMax = Math.max(1, ...points.map(xOf));
  const losses = points.map((p) => p.val_loss);
  const yMin = Math.min(...losses, input.targetLoss ?? Infinity);
  // Early losses (≈10) would squash the region near the target into one row: cap the top, clamp what is above.
  const rawMax = Math.max(...losses);
  const yMax = input.targetLoss !== null ? Math.min(rawMax, yMin + Math.max(0.5, (input.targetLoss - yMin) * 4 + 1)) : rawMax;
  const span = yMax - yMin || 1;
  const rowOf = (loss: number) => {
    const clamped = Math.min(yMax, Math.max(yMin, loss));
    return Math.round(((yMax - clamped) / span) * (height - 1));
  };
  const colOf = (p: CurvePoint) => Math.min(gridWidth - 1, Math.round((xOf(p) / xMax) * (gridWidth - 1)));

  const grid = Array.from({ length: height }, () => Array<string>(gridWidth).fill(' '));
  if (input.targetLoss !== null) grid[rowOf(input.targetLoss)]?.fill(TARGET_MARK);
  // The node is drawn last so it wins where it crosses the record.
  for (const p of record) setCell(grid, rowOf(p.val_loss), colOf(p), RECORD_MARK);
  for (const p of input.node) setCell(grid, rowOf(p.val_loss), colOf(p), NODE_MARK);

  const lines = grid.map((row, i) => {
    const label = i === 0 ? yMax.toFixed(2) : i === height - 1 ? yMin.toFixed(2) : '';
    return `${label.padStart(LABEL_WIDTH)}│${row.join('')}`;
  });
  const right = byTime ? formatTime(xMax) : `step ${xMax}`;
  const axis = `${' '.repeat(LABEL_WIDTH)}└${'0'.padEnd(gridWidth - right.length)}${right}`;
  return [...lines, axis];
}

function setCell(grid: string[][], row: number, col: number, mark: string): void {
  const line = grid[row];
  if (line && col >= 0 && col < line.length) line[col] = mark;
}
