/** A table as text cells: markdown and HTML render the very same strings. */
export interface Table {
  headers: string[];
  rows: string[][];
}

export type ChartId =
  | 'fsr-by-hint'
  | 'record-hint-matrix'
  | 'fsr-by-step'
  | 'node-types-by-step'
  | 'overlap-vs-fsr'
  | 'judge-vs-fsr'
  | 'entropy-vs-fsr'
  | 'fsr-by-chain-step'
  | 'distance-vs-fsr';

export interface Section {
  id: string;
  title: string;
  intro: string;
  table: Table;
  chart?: ChartId;
}

/** At most this many step columns: the first steps, where searches differ most, then every few, then the last. */
export function stepsShown(last: number): number[] {
  const picks = new Set<number>([0, 1, 2, 3, 5, 10, 15, 20, 30, 50, last].filter((s) => s <= last));
  return [...picks].sort((a, b) => a - b);
}
