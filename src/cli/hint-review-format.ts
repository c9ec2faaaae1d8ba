import type { GeneratedHint } from '../core/catalog/generated-hints.js';

/** Columns from which `hints review` puts the draft and the diff side by side instead of one after the other. */
export const SIDE_BY_SIDE_MIN_COLUMNS = 160;

/** The provenance line of a generated hint: who wrote it, from which prompt, and (once reviewed) what was decided. */
export function describeProvenance(hint: GeneratedHint): string {
  const m = hint.meta;
  const cost = m.usage.cost_usd === null ? 'cost unknown' : `$${m.usage.cost_usd.toFixed(4)}`;
  const review = m.review ? `; ${m.review.decision} ${m.review.at}${m.review.reason ? ` (${m.review.reason})` : ''}` : '';
  return `model ${m.model} (${m.model_id}), prompts hints/${m.prompt_version} (sha256 ${m.prompt_sha256.slice(0, 12)}…), written ${m.created_at}, ${m.calls} call(s), ${cost}${review}`;
}

/**
 * What a reviewer reads: a header, then the draft and the true diff, one after the other, or side by side (draft
 * left, diff right, long lines wrapped) when the terminal is at least SIDE_BY_SIDE_MIN_COLUMNS wide.
 */
export function formatReview(draft: GeneratedHint, diff: string, columns: number | null): string {
  const m = draft.meta;
  const header = [
    `track ${m.track}, record ${m.record} → ${m.next_record}, level L${m.level} draft: ${draft.path}`,
    `  ${describeProvenance(draft)}`,
    `  record ${m.next_record}: ${m.description}`,
  ];
  const text = draft.text.trimEnd();
  const patch = diff.trimEnd();
  if (columns === null || columns < SIDE_BY_SIDE_MIN_COLUMNS) {
    return [...header, '', `── draft L${m.level} ──`, text, '', `── true diff: record ${m.record} → ${m.next_record} ──`, patch, ''].join('\n');
  }
  const width = Math.floor((columns - 3) / 2);
  const left = [`── draft L${m.level} ──`, ...wrap(text, width)];
  const right = [`── true diff ${m.record} → ${m.next_record} ──`, ...wrap(patch, width)];
  const rows = Array.from({ length: Math.max(left.length, right.length) }, (_, i) => `${(left[i] ?? '').padEnd(width)} │ ${right[i] ?? ''}`.trimEnd());
  return [...header, '', ...rows, ''].join('\n');
}

/** Lines cut into pieces of at most `width` characters (tabs as two spaces), so columns stay aligned. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const line of text.replace(/\t/g, '  ').split('\n')) {
    if (line.length <= width) out.push(line);
    else for (let i = 0; i < line.length; i += width) out.push(line.slice(i, i + width));
  }
  return out;
}
