import { basename, dirname } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { formatFsr } from '../score/fsr.js';
import type { ChainStart } from '../store/schema.js';
import type { ChainRow } from './chain-schema.js';
import { NONE, seconds } from './format.js';
import type { ReportRun } from './runs.js';
import { chartBase } from './chart-style.js';
import type { Report } from './schema.js';
import type { Section } from './section.js';

/** Where a chain's step started, in words (the CLI's chain table says it the same way). */
export function describeChainStart(step: number, record: number, start: Pick<ChainStart, 'from' | 'node'>): string {
  if (start.from === 'record') return `record ${record}`;
  return start.from === 'best' ? `step ${step - 1}'s node ${start.node}` : `step ${step - 1}'s start (no valid node)`;
}

/** The steps of every chain among the runs (runs whose run.json says where they started), by chain then step. */
export function chainRows(runs: readonly ReportRun[]): ChainRow[] {
  const rows: ChainRow[] = [];
  for (const run of runs) {
    const start = run.config?.chain;
    if (!start) continue;
    const s = run.summary;
    const node0 = run.nodes.find((n) => n.node === 0);
    rows.push({
      chain: run.dir ? basename(dirname(run.dir)) : NONE,
      step: start.step,
      run_id: s.run_id,
      task: `${s.track}/${s.record}`,
      start: describeChainStart(start.step, s.record, start),
      start_from: start.from,
      start_ms: node0?.measured_by === 'executed' ? node0.time_to_target_ms : null,
      baseline_ms: s.baseline_ms,
      target_ms: s.target_ms,
      times_from: s.times_from,
      best_node: s.best?.node ?? null,
      best_ms: s.best?.train_time_ms ?? null,
      fsr: s.fsr,
      status: s.status,
    });
  }
  return rows.sort((a, b) => a.chain.localeCompare(b.chain) || a.step - b.step);
}

/** The chain section; none when the report holds no chain. */
export function chainSections(report: Report): Section[] {
  if (report.chains.length === 0) return [];
  return [
    {
      id: 'chains',
      title: 'Chained records',
      intro:
        "Each step of a chain starts from the best script of the step before (step 0 from record i's own) and is scored like any run of its task: FSR = (t_i − t*) / (t_i − t_i+1) with t_i and t_i+1 the true records' times (the record table, calibration, or the records re-timed in the step's scoring round), never the start script's. The start script's own time in the step stands beside them; its speed counts toward t* like any node's.",
      table: {
        headers: ['chain', 'step', 'task', 'start', 'start time', 't_i', 't_i+1', 'times from', 'best', 'best time', 'FSR', 'status'],
        rows: report.chains.map((r) => [
          r.chain,
          String(r.step),
          r.task,
          r.start,
          seconds(r.start_ms),
          seconds(r.baseline_ms),
          seconds(r.target_ms),
          r.times_from,
          r.best_node === null ? NONE : `node ${r.best_node}`,
          seconds(r.best_ms),
          formatFsr(r.fsr, NONE),
          r.status,
        ]),
      },
      chart: 'fsr-by-chain-step',
    },
  ];
}

/** FSR along each chain: one line per chain, a point per scored step (the HTML report's chart style). */
export function fsrByChainStep(report: Report): TopLevelSpec {
  const values = report.chains.filter((r) => r.fsr !== null).map((r) => ({ chain: r.chain, step: r.step, task: r.task, fsr: r.fsr }));
  return {
    ...chartBase('FSR along the chain, per step'),
    width: 420,
    height: 240,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'chain step (task record i → i+1)', axis: { tickMinStep: 1 } },
      y: { field: 'fsr', type: 'quantitative', title: 'FSR' },
      color: { field: 'chain', type: 'nominal', title: 'chain' },
      tooltip: [{ field: 'task' }, { field: 'fsr', format: '.3f' }],
    },
  };
}
