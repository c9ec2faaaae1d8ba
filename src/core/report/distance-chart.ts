import type { TopLevelSpec } from 'vega-lite';
import { chartBase } from './chart-style.js';
import type { Report } from './schema.js';

/**
 * FSR against the best node's cosine distance to record i+1, one point per scored run with a distance, coloured
 * by configuration, with the least-squares line the "Code distance and FSR" section reports.
 */
export function distanceVsFsr(report: Report): TopLevelSpec {
  const byParts = new Map(report.configurations.map((c) => [`${c.hint}\u0000${c.model}\u0000${c.scaffold}`, c.label]));
  const values = report.runs
    .filter((r) => r.distance_to_next_cosine !== null && r.fsr !== null && r.scored)
    .map((r) => ({
      configuration: byParts.get(`${r.hint}\u0000${r.model}\u0000${r.scaffold}`) ?? r.hint,
      run: r.run_id,
      task: `${r.track}/${r.record}`,
      distance: r.distance_to_next_cosine,
      fsr: r.fsr,
    }));
  const fit = report.reproduction.distance_fit?.cosine ?? null;
  const xs = values.map((v) => v.distance as number);
  const line = fit && xs.length ? [Math.min(...xs), Math.max(...xs)].map((x) => ({ distance: x, fsr: fit.intercept + fit.slope * x })) : [];
  return {
    ...chartBase(`FSR against cosine distance to record i+1${fit ? ` (least squares, R² ${fit.r2.toFixed(2)})` : ''}, one point per run`),
    width: 420,
    height: 240,
    layer: [
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 60, opacity: 0.75 },
        encoding: {
          x: { field: 'distance', type: 'quantitative', title: 'cosine distance to record i+1' },
          y: { field: 'fsr', type: 'quantitative', title: 'FSR' },
          color: { field: 'configuration', type: 'nominal', sort: report.configurations.map((c) => c.label), title: 'configuration' },
          tooltip: [{ field: 'run' }, { field: 'task' }, { field: 'distance', format: '.4f' }, { field: 'fsr', format: '.3f' }],
        },
      },
      {
        data: { values: line },
        mark: { type: 'line', color: '#888', strokeDash: [4, 3] },
        encoding: { x: { field: 'distance', type: 'quantitative' }, y: { field: 'fsr', type: 'quantitative' } },
      },
    ],
  };
}
