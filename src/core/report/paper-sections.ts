import { int, NONE, pct } from './format.js';
import type { Report } from './schema.js';
import { stepsShown, type Section } from './section.js';

/** The report's sections of the paper's views: its aggregation (`--paper`) and its node types by search step. */

const f4 = (x: number | null | undefined) => (x === null || x === undefined ? NONE : x.toFixed(4));

/** The paper mode's table; none without --paper. */
export function paperSections(report: Report): Section[] {
  const paper = report.paper;
  if (!paper) return [];
  const validity = paper.validity.map((v) => `${v.track} below ${v.below === null ? 'its target' : v.below}`).join(', ');
  const left = paper.left_out.not_over + paper.left_out.other_tasks;
  const unpublished = [...new Set(paper.rows.map((r) => r.published_note).filter((n): n is string => n !== null))];
  const intro = [
    ...paper.notes,
    `A node counts when its final val_loss is: ${validity}.`,
    left > 0 ? `Left out: ${paper.left_out.not_over} runs not over yet (aborted, failed), ${paper.left_out.other_tasks} on tasks outside the paper's.` : '',
    `95% CIs: rliable's stratified bootstrap (each column's rows redrawn), ${report.statistics.bootstrap_reps} resamples, seed ${report.statistics.seed}.`,
    unpublished.length ? `Where the paper column is – : ${unpublished.join('; ')}.` : '',
  ].filter(Boolean);
  return [
    {
      id: 'paper',
      title: "Paper mode: the paper's aggregation beside its figures",
      intro: intro.join(' '),
      table: {
        headers: [
          'configuration',
          'tasks',
          'runs',
          'median',
          'IQM',
          'mean',
          'opt. gap',
          'mean 95% CI',
          'paper tasks',
          'paper median',
          'paper IQM',
          'paper mean',
          'paper opt. gap',
        ],
        rows: paper.rows.map((r) => [
          r.configuration,
          int(r.tasks),
          int(r.runs),
          f4(r.estimate.median),
          f4(r.estimate.iqm),
          f4(r.estimate.mean),
          f4(r.estimate.optimality_gap),
          `[${f4(r.estimate.ci.mean[0])}, ${f4(r.estimate.ci.mean[1])}]`,
          r.published ? int(r.published.tasks) : NONE,
          f4(r.published?.median),
          f4(r.published?.iqm),
          f4(r.published?.mean),
          f4(r.published?.optimality_gap),
        ]),
      },
    },
  ];
}

/** Node types at a few steps per configuration (every step is in report.json), and the σ_i they used. */
export function nodeTypeSections(report: Report): Section[] {
  const last = report.node_types.reduce((m, r) => Math.max(m, r.step), 0);
  const shown = new Set(stepsShown(last).filter((s) => s >= 1));
  const anyAborted = report.node_types.some((r) => r.aborted > 0);
  const share = (n: number, of: number) => pct(of ? n / of : null);
  return [
    {
      id: 'node-types',
      title: 'Node types by search step',
      intro:
        "The paper's view (its node-type figure): of the first k agent nodes (baseline excluded) of the runs that made k, the share buggy (crashed, timed out, no metric, no script, rejected, or missed the target, as the paper's runner marks it), no improvement (reached the target but slower than t_i + σ_i), improved (not slower than t_i + σ_i; beyond noise: faster than t_i − σ_i). σ_i: the spread of t_i, listed below." +
        (anyAborted ? ' Aborted: stopped by a Ctrl-C or a budget.' : ''),
      table: {
        headers: ['configuration', 'step', 'runs', 'buggy', 'no improvement', 'improved', 'beyond noise', ...(anyAborted ? ['aborted'] : [])],
        rows: report.node_types
          .filter((r) => shown.has(r.step))
          .map((r) => [
            r.configuration,
            int(r.step),
            int(r.runs),
            share(r.buggy, r.nodes),
            share(r.no_improvement, r.nodes),
            share(r.improved, r.nodes),
            share(r.faster_beyond_sd, r.nodes),
            ...(anyAborted ? [share(r.aborted, r.nodes)] : []),
          ]),
      },
      chart: 'node-types-by-step',
    },
    {
      id: 'time-spreads',
      title: 'Baseline time spreads (σ_i)',
      intro:
        "The σ_i of each task the node types used: the record table's (nanogpt: the paper authors' 3-run sd) or the calibration's (sample sd of its repeats). Unknown counts as 0.",
      table: {
        headers: ['task', 'times from', 't_i', 'σ_i', 'source'],
        rows: report.time_spreads.map((r) => [
          r.task,
          r.times_from,
          `${(r.baseline_ms / 1000).toFixed(1)} s`,
          r.sd_ms === null ? NONE : `${(r.sd_ms / 1000).toFixed(2)} s`,
          r.source,
        ]),
      },
    },
  ];
}
