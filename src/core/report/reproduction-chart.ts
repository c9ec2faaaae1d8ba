import type { TopLevelSpec } from 'vega-lite';
import { chartBase } from './chart-style.js';
import type { Report } from './schema.js';

/** Beyond this many configurations a colour each is unreadable; points are then coloured by hint. */
const MAX_COLOURS = 12;

/**
 * Diff overlap against FSR, one point per run with both: does recovering the speed go with making the record's own
 * change? (The paper draws its judge score against FSR the same way.) Only drawn when some run has both numbers.
 */
export function overlapVsFsr(report: Report): TopLevelSpec {
  const byParts = new Map(report.configurations.map((c) => [`${c.hint}\u0000${c.model}\u0000${c.scaffold}`, c]));
  const perConfiguration = report.configurations.length <= MAX_COLOURS;
  const values = report.runs
    .filter((r) => r.diff_overlap !== null && r.fsr !== null)
    .map((r) => {
      const config = byParts.get(`${r.hint}\u0000${r.model}\u0000${r.scaffold}`);
      return {
        group: perConfiguration ? (config?.label ?? r.hint) : r.hint,
        run: r.run_id,
        task: `${r.track}/${r.record}`,
        recall: r.diff_overlap!.recall,
        fsr: r.fsr,
      };
    });
  const order = perConfiguration ? report.configurations.map((c) => c.label) : report.matrix.hints;
  return {
    ...chartBase('FSR against diff overlap (recall of the true change), one point per run'),
    width: 420,
    height: 240,
    data: { values },
    mark: { type: 'point', filled: true, size: 60, opacity: 0.75 },
    encoding: {
      x: { field: 'recall', type: 'quantitative', title: 'diff overlap recall', scale: { domain: [0, 1] } },
      y: { field: 'fsr', type: 'quantitative', title: 'FSR' },
      color: { field: 'group', type: 'nominal', sort: order, title: perConfiguration ? 'configuration' : 'hint' },
      tooltip: [{ field: 'run' }, { field: 'task' }, { field: 'recall', format: '.3f' }, { field: 'fsr', format: '.3f' }],
    },
  };
}
