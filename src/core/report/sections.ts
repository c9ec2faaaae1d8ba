import { formatFsr } from '../score/fsr.js';
import { amount, ci3, int, integrityCell, marked, NONE, pct, seconds } from './format.js';
import { ideasSections } from './ideas-section.js';
import { judgeSections } from './judge-section.js';
import { nodeTypeSections, paperSections } from './paper-sections.js';
import { reproductionSections } from './reproduction-sections.js';
import { chainSections } from './chains.js';
import type { Report, StatRow } from './schema.js';
import { stepsShown, type Section, type Table } from './section.js';

const STAT_HEADERS = [
  'tasks',
  'runs',
  'scored',
  'mean FSR',
  '95% CI',
  'IQM',
  'IQM 95% CI',
  'median',
  'opt. gap',
  'verified FSR',
  'success',
  'buggy nodes',
  'median best',
  'integrity',
];

function statTable(first: string, rows: readonly StatRow[]): Table {
  return {
    headers: [first, ...STAT_HEADERS],
    rows: rows.map((r) => [
      r.label,
      int(r.tasks),
      int(r.runs),
      int(r.scored),
      marked(formatFsr(r.mean_fsr, NONE), r.integrity),
      ci3(r.mean_ci),
      marked(formatFsr(r.iqm_fsr, NONE), r.integrity),
      ci3(r.iqm_ci),
      marked(formatFsr(r.median_fsr, NONE), r.integrity),
      marked(formatFsr(r.optimality_gap, NONE), r.integrity),
      r.verified_runs === 0 ? '–' : `${formatFsr(r.mean_fsr_verified, NONE)} (${int(r.verified_runs)})`,
      pct(r.success_rate),
      pct(r.buggy_share),
      seconds(r.median_best_ms),
      integrityCell(r.integrity),
    ]),
  };
}

export function reportSections(report: Report): Section[] {
  const ciNote = `95% percentile CIs from ${report.statistics.bootstrap_reps} stratified-bootstrap resamples (strata = tasks, seed ${report.statistics.seed}).`;
  const sections: Section[] = [
    {
      id: 'by-hint',
      title: 'Per-hint comparison',
      intro: `FSR over scored runs (finished, with an FSR); aborted and failed runs count in "runs" only. Median: rliable's, over tasks of each task's mean FSR; opt. gap: 1 − mean(min(FSR, 1)), lower is better. Success: share of scored runs whose best node beat the baseline. ${ciNote}`,
      table: statTable('hint', report.by_hint),
      chart: 'fsr-by-hint',
    },
    { id: 'by-model', title: 'By model', intro: 'The same numbers split by model (built-in agents by name).', table: statTable('model', report.by_model) },
    { id: 'by-scaffold', title: 'By scaffold', intro: 'The same numbers split by scaffold (search policy).', table: statTable('scaffold', report.by_scaffold) },
    {
      id: 'by-configuration',
      title: 'Configurations',
      intro: 'Each hint × model × scaffold combination (only the dimensions that vary are named).',
      table: statTable('configuration', report.by_configuration),
    },
    ...paperSections(report),
    {
      id: 'ranking',
      title: 'Ranking',
      intro:
        'Soft Condorcet Optimization: each task votes, ranking configurations by their mean FSR on it (σ loss, τ = 1); beside it the ranking by mean FSR over all scored runs.',
      table: {
        headers: ['SCO rank', 'configuration', 'SCO rating', 'mean-FSR rank', 'mean FSR'],
        rows: report.ranking.map((r) => [
          int(r.sco_rank),
          r.configuration,
          r.sco_rating.toFixed(3),
          r.mean_rank === null ? '–' : int(r.mean_rank),
          formatFsr(r.mean_fsr, NONE),
        ]),
      },
    },
    {
      id: 'matrix',
      title: 'Record × hint matrix',
      intro: 'Mean FSR of scored runs per task (track/record) and hint; – where no run was scored.',
      table: {
        headers: ['task', ...report.matrix.hints],
        rows: report.matrix.tasks.map((task) => [
          task,
          ...report.matrix.hints.map((hint) => formatFsr(report.matrix.cells.find((c) => c.task === task && c.hint === hint)?.mean_fsr ?? null, NONE)),
        ]),
      },
      chart: 'record-hint-matrix',
    },
    stepSection(report),
    ...chainSections(report),
    {
      id: 'outcomes',
      title: 'Node outcomes',
      intro:
        'Agent nodes (baseline excluded): buggy (crashed, timed out, no metric, no script), missed the target (valid but slow), reached it without beating the baseline, improved on it.',
      table: {
        headers: ['configuration', 'nodes', 'buggy', 'missed target', 'valid, no gain', 'improved', 'aborted'],
        rows: report.outcomes.map((o) => [
          o.configuration,
          int(o.nodes),
          ...[o.buggy, o.missed_target, o.valid_no_gain, o.improved, o.aborted].map((n) => `${n} (${pct(o.nodes ? n / o.nodes : null)})`),
        ]),
      },
    },
    ...nodeTypeSections(report),
    ...reproductionSections(report),
    ...judgeSections(report),
    ...ideasSections(report),
    {
      id: 'costs',
      title: 'Costs',
      intro:
        'LLM tokens and dollars (– when a call had no known price), wall-clock hours of nodes trained here, GPU-hours (– without a bench.json), and each per unit of FSR recovered.',
      table: {
        headers: ['configuration', 'runs', 'LLM calls', 'tokens', 'USD', 'compute h', 'GPU h', 'FSR total', 'tokens / FSR', 'USD / FSR', 'GPU h / FSR'],
        rows: report.costs.map((c) => [
          c.configuration,
          int(c.runs),
          int(c.llm_calls),
          int(c.prompt_tokens + c.completion_tokens),
          amount(c.cost_usd),
          amount(c.compute_hours, 3),
          amount(c.gpu_hours, 3),
          amount(c.fsr_total, 3),
          amount(c.tokens_per_fsr, 0),
          amount(c.usd_per_fsr),
          amount(c.gpu_hours_per_fsr, 3),
        ]),
      },
    },
  ];
  return sections;
}

function stepSection(report: Report): Section {
  const last = report.steps.reduce((m, p) => Math.max(m, p.step), 0);
  const shown = stepsShown(last);
  const labels = report.configurations.map((c) => c.label).filter((l) => report.steps.some((p) => p.configuration === l));
  return {
    id: 'steps',
    title: 'FSR by search step',
    intro: 'Mean best-so-far FSR after each node (0 = baseline); a run that ended earlier keeps its final best.',
    table: {
      headers: ['configuration', ...shown.map((s) => `step ${s}`)],
      rows: labels.map((label) => [
        label,
        ...shown.map((step) => {
          const points = report.steps.filter((p) => p.configuration === label);
          const point = points.find((p) => p.step === step) ?? points[points.length - 1];
          return formatFsr(point?.mean_fsr ?? null, NONE);
        }),
      ]),
    },
    chart: 'fsr-by-step',
  };
}
