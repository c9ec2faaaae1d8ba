import type { IntegrityCounts } from './schema.js';

/**
 * How report numbers are written. Markdown and HTML share these, so the two always print the same digits; report.json
 * keeps full precision and the agreement test rounds it the same way.
 */

export const NONE = '–';

export function ci3(ci: readonly [number, number] | null): string {
  return ci === null ? NONE : `[${ci[0].toFixed(3)}, ${ci[1].toFixed(3)}]`;
}

export function pct(value: number | null): string {
  return value === null ? NONE : `${(value * 100).toFixed(1)}%`;
}

export function seconds(ms: number | null): string {
  return ms === null ? NONE : `${(ms / 1000).toFixed(1)} s`;
}

export function int(value: number): string {
  return String(value);
}

/** Significant enough for cents and for fractions of a GPU-hour. */
export function amount(value: number | null, digits = 2): string {
  return value === null ? NONE : value.toFixed(digits);
}

/** Marks on numbers that rest on runs not (or not all) verified; the legend explains them. */
export const MARKS = { verified: '', unverified: '†', flagged: '⚑', rejected: '✗' } as const;

export const MARK_LEGEND = [
  '† unverified: no re-run verification of the best node yet (every number is, until `verification.json` exists)',
  '⚑ flagged: an integrity check or the FSR itself asks for a human look (see runs.csv integrity_notes)',
  '✗ rejected: some run’s best node failed an integrity check or its verification; do not cite this number',
];

export function marked(text: string, integrity: IntegrityCounts): string {
  return text === NONE ? text : `${text}${MARKS[integrity.status]}`;
}

export function integrityCell(c: IntegrityCounts): string {
  const total = c.verified + c.unverified + c.flagged + c.rejected;
  if (c.status === 'verified') return `verified ${c.verified}/${total}`;
  const parts = [`verified ${c.verified}/${total}`];
  if (c.flagged) parts.push(`flagged ${c.flagged}`);
  if (c.rejected) parts.push(`rejected ${c.rejected}`);
  return `${c.status} (${parts.join(', ')})`;
}

/** Strips the marks again (tests compare the numbers themselves). */
export function unmark(text: string): string {
  return text.replace(/[†⚑✗]/gu, '');
}
