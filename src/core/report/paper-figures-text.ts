import { markdownTable } from './markdown.js';
import type { PaperFigureRow, PaperFigures, PaperPoint } from './paper-schema.js';

/** `speedrun report --paper-figures` as text: markdown tables, 4 decimals as the paper's tables. */

const f4 = (x: number) => x.toFixed(4);
const ci4 = (ci: readonly [number, number]) => `[${f4(ci[0])}, ${f4(ci[1])}]`;
const point4 = (p: PaperPoint) => `${f4(p.median)} / ${f4(p.iqm)} / ${f4(p.mean)} / ${f4(p.optimality_gap)}`;

function pooledTable(first: string, rows: readonly PaperFigureRow[], withNotebook: boolean): string {
  const headers = [first, 'rows', 'median', 'IQM', 'mean', 'opt. gap', 'mean 95% CI (ours)'];
  if (withNotebook) headers.push('notebook: median / IQM / mean / gap', 'notebook mean CI', 'same to 4 dp');
  return markdownTable({
    headers,
    rows: rows.map((r) => {
      const cells = [r.label, String(r.rows), f4(r.median), f4(r.iqm), f4(r.mean), f4(r.optimality_gap), ci4(r.ci.mean)];
      if (withNotebook) {
        cells.push(r.notebook ? point4(r.notebook) : '–', r.notebook?.ci ? ci4(r.notebook.ci.mean) : '–', r.matches === null ? '–' : r.matches ? 'yes' : 'NO');
      }
      return cells;
    }),
  });
}

export function renderPaperFigures(figures: PaperFigures): string {
  const s = figures.statistics;
  const mismatched = [...figures.by_hint, ...figures.by_scaffold].filter((r) => r.matches === false).map((r) => r.label);
  const lines = [
    "# The paper's aggregates, recomputed from its notebook",
    '',
    `Notebook \`${figures.notebook.path}\` (sha256 ${figures.notebook.sha256.slice(0, 12)}…), ${figures.notebook.configurations} configurations of best-3 FSRs per task.`,
    `${s.note} Our CIs: ${s.bootstrap_reps} resamples, seed ${s.seed}, ${Math.round(s.level * 100)}%.`,
    '',
    "## By hint (pooled over 5 scaffolds × 3 models; the notebook's cell 30)",
    '',
    pooledTable('hint', figures.by_hint, true),
    '',
    '## By scaffold (pooled over 3 models × 6 hint settings; cell 43)',
    '',
    pooledTable('scaffold', figures.by_scaffold, true),
    '',
    '## By model (pooled over 5 scaffolds × 6 hint settings; the notebook prints no figure)',
    '',
    pooledTable('model', figures.by_model, false),
    '',
    '## Every configuration (model × scaffold × hint)',
    '',
    markdownTable({
      headers: ['model', 'scaffold', 'hint', 'tasks', 'median', 'IQM', 'mean', 'opt. gap', 'mean 95% CI', 'IQM 95% CI'],
      rows: figures.configurations.map((r) => [
        r.model,
        r.scaffold,
        r.hint,
        String(r.rows),
        f4(r.median),
        f4(r.iqm),
        f4(r.mean),
        f4(r.optimality_gap),
        ci4(r.ci.mean),
        ci4(r.ci.iqm),
      ]),
    }),
    '',
    figures.all_match
      ? 'Every point estimate the notebook printed is reproduced to 4 decimals.'
      : `MISMATCH: ${mismatched.join(', ') || 'no printed figure was found'} differ from the notebook's printed figures.`,
  ];
  return `${lines.join('\n')}\n`;
}
