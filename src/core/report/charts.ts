import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { chartBase, INK, SERIES_COLOR } from './chart-style.js';
import { entropyVsFsr } from './ideas-chart.js';
import { judgeVsFsr } from './judge-chart.js';
import { distanceVsFsr } from './distance-chart.js';
import { nodeTypesByStep } from './node-types-chart.js';
import { overlapVsFsr } from './reproduction-chart.js';
import { fsrByChainStep } from './chains.js';
import type { Report } from './schema.js';
import type { ChartId } from './section.js';

/**
 * The HTML report's charts: vega-lite specs compiled and rendered to SVG here in Node (renderer "none" plus toSVG
 * needs no canvas package; vega estimates text widths instead of measuring them), so report.html carries its charts
 * inline and opens anywhere without scripts or network.
 */

function fsrByHint(report: Report): TopLevelSpec {
  const values = report.by_hint
    .filter((r) => r.mean_fsr !== null)
    .map((r) => ({ hint: r.label, mean: r.mean_fsr, low: r.mean_ci?.[0] ?? r.mean_fsr, high: r.mean_ci?.[1] ?? r.mean_fsr }));
  const order = values.map((v) => v.hint);
  const x = { field: 'hint', type: 'nominal', sort: order, title: 'hint', axis: { labelAngle: 0 } } as const;
  return {
    ...chartBase('Mean FSR by hint (95% stratified-bootstrap CI)'),
    width: Math.max(240, 70 * values.length),
    height: 240,
    data: { values },
    layer: [
      { mark: { type: 'bar', color: SERIES_COLOR }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'mean FSR' } } },
      { mark: { type: 'rule', strokeWidth: 2, color: INK }, encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
      { mark: { type: 'tick', color: INK, thickness: 2 }, encoding: { x, y: { field: 'low', type: 'quantitative' } } },
      { mark: { type: 'tick', color: INK, thickness: 2 }, encoding: { x, y: { field: 'high', type: 'quantitative' } } },
    ],
  };
}

function recordHintMatrix(report: Report): TopLevelSpec {
  const values = report.matrix.cells.filter((c) => c.mean_fsr !== null).map((c) => ({ ...c, text: c.mean_fsr!.toFixed(2) }));
  const x = { field: 'hint', type: 'nominal', sort: report.matrix.hints, title: 'hint', axis: { labelAngle: 0 } } as const;
  const y = { field: 'task', type: 'nominal', sort: report.matrix.tasks, title: 'task' } as const;
  return {
    ...chartBase('Mean FSR per record and hint'),
    width: Math.max(200, 60 * report.matrix.hints.length),
    height: Math.max(120, 22 * report.matrix.tasks.length),
    data: { values },
    layer: [
      { mark: 'rect', encoding: { x, y, color: { field: 'mean_fsr', type: 'quantitative', title: 'mean FSR', scale: { scheme: 'viridis' } } } },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: { x, y, text: { field: 'text' }, color: { condition: { test: 'datum.mean_fsr > 0.6', value: 'black' }, value: 'white' } },
      },
    ],
  };
}

/** Beyond this many configurations a line each is unreadable; the chart then draws one line per hint. */
const MAX_STEP_LINES = 12;

/** Step points per hint: the runs-weighted mean of its configurations' curves (the same runs, grouped coarser). */
function stepsByHint(report: Report): Array<{ configuration: string; step: number; mean_fsr: number }> {
  const hintOf = new Map(report.configurations.map((c) => [c.label, c.hint]));
  const sums = new Map<string, { hint: string; step: number; sum: number; runs: number }>();
  for (const p of report.steps) {
    const hint = hintOf.get(p.configuration) ?? p.configuration;
    const key = `${hint}\u0000${p.step}`;
    const acc = sums.get(key) ?? { hint, step: p.step, sum: 0, runs: 0 };
    acc.sum += p.mean_fsr * p.runs;
    acc.runs += p.runs;
    sums.set(key, acc);
  }
  return [...sums.values()].map((a) => ({ configuration: a.hint, step: a.step, mean_fsr: a.sum / a.runs }));
}

function fsrByStep(report: Report): TopLevelSpec {
  const perConfiguration = report.configurations.length <= MAX_STEP_LINES;
  const values = perConfiguration ? report.steps : stepsByHint(report);
  const order = perConfiguration ? report.configurations.map((c) => c.label) : report.matrix.hints;
  return {
    ...chartBase(perConfiguration ? 'Mean best-so-far FSR by search step' : 'Mean best-so-far FSR by search step, per hint'),
    width: 420,
    height: 240,
    data: { values },
    mark: { type: 'line', point: values.length <= 400 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'node (0 = baseline)', axis: { tickMinStep: 1 } },
      y: { field: 'mean_fsr', type: 'quantitative', title: 'mean FSR' },
      color: { field: 'configuration', type: 'nominal', sort: order, title: perConfiguration ? 'configuration' : 'hint' },
    },
  };
}

const SPECS: Record<ChartId, (report: Report) => TopLevelSpec> = {
  'fsr-by-hint': fsrByHint,
  'record-hint-matrix': recordHintMatrix,
  'fsr-by-step': fsrByStep,
  'node-types-by-step': nodeTypesByStep,
  'overlap-vs-fsr': overlapVsFsr,
  'judge-vs-fsr': judgeVsFsr,
  'entropy-vs-fsr': entropyVsFsr,
  'fsr-by-chain-step': fsrByChainStep,
  'distance-vs-fsr': distanceVsFsr,
};

export function chartSpec(id: ChartId, report: Report): TopLevelSpec {
  return SPECS[id](report);
}

/** One chart as an SVG element string. */
export async function renderChart(id: ChartId, report: Report): Promise<string> {
  const view = new View(parse(compile(chartSpec(id, report)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Every chart of the report, rendered once. */
export async function renderCharts(report: Report): Promise<Record<ChartId, string>> {
  const ids = Object.keys(SPECS) as ChartId[];
  // The scatters of judge score, idea entropy and distance are shown only once runs were measured: no chart is drawn for nothing.
  const absent = (id: ChartId) =>
    (id === 'judge-vs-fsr' && !report.judge) || (id === 'entropy-vs-fsr' && !report.ideas) || (id === 'distance-vs-fsr' && !report.reproduction.distance_fit);
  const svgs = await Promise.all(ids.map((id) => (absent(id) ? '' : renderChart(id, report))));
  return Object.fromEntries(ids.map((id, i) => [id, svgs[i]!])) as Record<ChartId, string>;
}
