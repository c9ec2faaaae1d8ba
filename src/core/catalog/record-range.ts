import { UserError } from '../errors.js';

/** "1-3,5" → [1, 2, 3, 5]; rejects anything else with the accepted forms. */
export function parseRecordRange(spec: string): number[] {
  const out = new Set<number>();
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) throw new UserError(`bad record range '${spec}'`, 'use forms like 3, 1-6 or 1-3,5');
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from < 1 || to < from) throw new UserError(`bad record range '${part}'`, 'ranges go upwards from record 1, e.g. 1-6');
    for (let n = from; n <= to; n++) out.add(n);
  }
  if (out.size === 0) throw new UserError('empty record range', 'use forms like 3, 1-6 or 1-3,5');
  return [...out].sort((a, b) => a - b);
}
