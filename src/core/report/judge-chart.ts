import type { TopLevelSpec } from 'vega-lite';
import { chartBase } from './chart-style.js';
import type { Report } from './schema.js';

/** Judge score against FSR, one point per judged and scored run, coloured by configuration. */
export function judgeVsFsr(report: Report): TopLevelSpec {
  const points = report.judge?.points ?? [];
  const order = report.configurations.map((c) => c.label);
  return {
    ...chartBase('Judge score against FSR (one point per run)'),
    width: 360,
    height: 240,
    data: { values: points },
    mark: { type: 'point', filled: true, size: 60, opacity: 0.8 },
    encoding: {
      x: { field: 'fsr', type: 'quantitative', title: 'FSR' },
      y: { field: 'score', type: 'quantitative', title: 'judge score', scale: { domain: [0, 1] } },
      color: { field: 'configuration', type: 'nominal', sort: order, title: 'configuration' },
      tooltip: [{ field: 'run_id' }, { field: 'task' }, { field: 'fsr', format: '.3f' }, { field: 'score', format: '.2f' }],
    },
  };
}
