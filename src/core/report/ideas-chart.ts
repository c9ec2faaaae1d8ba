import type { TopLevelSpec } from 'vega-lite';
import { chartBase } from './chart-style.js';
import type { Report } from './schema.js';

/** Idea entropy against FSR, one point per classified and scored run, coloured by configuration. */
export function entropyVsFsr(report: Report): TopLevelSpec {
  const points = report.ideas?.points ?? [];
  const order = report.configurations.map((c) => c.label);
  return {
    ...chartBase('Idea entropy of the first drafts against FSR (one point per run)'),
    width: 360,
    height: 240,
    data: { values: points },
    mark: { type: 'point', filled: true, size: 60, opacity: 0.8 },
    encoding: {
      x: { field: 'entropy', type: 'quantitative', title: 'idea entropy (bits)' },
      y: { field: 'fsr', type: 'quantitative', title: 'FSR' },
      color: { field: 'configuration', type: 'nominal', sort: order, title: 'configuration' },
      tooltip: [{ field: 'run_id' }, { field: 'task' }, { field: 'entropy', format: '.2f' }, { field: 'fsr', format: '.3f' }],
    },
  };
}
