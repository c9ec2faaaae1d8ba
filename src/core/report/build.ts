import { compareHintSpecs, isScored } from '../score/per-hint.js';
import { configurations, meanByTask, ranking } from './configurations.js';
import { costTable, runRows } from './costs.js';
import { chainRows } from './chains.js';
import { groupBy, integrityCounts, statTable, type StatOptions } from './groups.js';
import { ideasReport, withIdeaEntropy } from './ideas-section.js';
import { judgeReport } from './judge-section.js';
import { nodeTypesByStep } from './node-types.js';
import { paperSection, type PaperModeOptions } from './paper-mode.js';
import { nodeOutcomes, stepCurves } from './progress.js';
import { NOT_LOOKED_UP, type ReproductionOf } from './reproduction-lookup.js';
import { reproductionTables } from './reproduction.js';
import { modelOf, taskOf, type ReportRun } from './runs.js';
import { Report } from './schema.js';
import { spreadTable, type SpreadOf } from './time-spread.js';

export interface BuildOptions extends Partial<StatOptions> {
  /** The results folders, as the user named them. */
  sources: string[];
  /** Injected so a report of the same runs is the same file (tests, reproducibility); defaults to now. */
  now?: Date;
  /** σ_i of each run's baseline time, for the node types (the CLI reads manifests and calibrations); default unknown. */
  spreadOf?: SpreadOf;
  /** Each run's reproduction measures (the CLI reads the scripts: report/reproduction-lookup.ts); default not looked up. */
  reproductionOf?: ReproductionOf;
  /** `--paper`: the paper's aggregation beside its figures; absent, report.json's `paper` is null. */
  paper?: Pick<PaperModeOptions, 'targets' | 'notebook'>;
}

const UNKNOWN_SPREAD: SpreadOf = (run) => ({
  task: taskOf(run),
  times_from: run.summary.times_from,
  baseline_ms: run.summary.baseline_ms,
  sd_ms: null,
  source: 'not looked up',
});

/** Tasks in track order, then record number (tiny/2 before tiny/10). */
function compareTasks(a: string, b: string): number {
  const [ta, ra] = a.split('/');
  const [tb, rb] = b.split('/');
  return (ta ?? '').localeCompare(tb ?? '') || Number(ra) - Number(rb);
}

/** Everything a report shows, computed once; the writers only format it. */
export function buildReport(runs: readonly ReportRun[], options: BuildOptions): Report {
  const stat: StatOptions = { reps: options.reps ?? 2000, seed: options.seed ?? 0, level: options.level ?? 0.95 };
  const configs = configurations(runs);
  const hints = [...new Set(runs.map((r) => r.summary.hint))].sort(compareHintSpecs);
  const tasks = [...new Set(runs.map(taskOf))].sort(compareTasks);
  const byTaskHint = meanByTask(runs, (r) => r.summary.hint);
  const scoredPerCell = new Map<string, number>();
  for (const [key, group] of groupBy(runs.filter(isScored), (r) => `${taskOf(r)}\u0000${r.summary.hint}`)) {
    scoredPerCell.set(key, group.length);
  }
  const byConfiguration = statTable(runs, configs.labelOf, stat);
  const reproductionOf = options.reproductionOf ?? (() => NOT_LOOKED_UP);
  const configOrder = new Map(configs.list.map((c, i) => [c.label, i]));
  byConfiguration.sort((a, b) => (configOrder.get(a.label) ?? 0) - (configOrder.get(b.label) ?? 0));
  const report: Report = {
    version: 1,
    generated_at: (options.now ?? new Date()).toISOString(),
    sources: options.sources,
    statistics: { bootstrap_reps: stat.reps, seed: stat.seed, level: stat.level },
    totals: {
      runs: runs.length,
      scored: byConfiguration.reduce((n, r) => n + r.scored, 0),
      tasks: tasks.length,
      configurations: configs.list.length,
      integrity: integrityCounts(runs),
    },
    by_hint: statTable(runs, (r) => r.summary.hint, stat, compareHintSpecs),
    by_model: statTable(runs, modelOf, stat),
    by_scaffold: statTable(runs, (r) => r.summary.scaffold, stat),
    by_configuration: byConfiguration,
    configurations: configs.list,
    matrix: {
      tasks,
      hints,
      cells: tasks.flatMap((task) =>
        hints.map((hint) => {
          const value = byTaskHint.get(task)?.get(hint);
          return { task, hint, mean_fsr: value ?? null, scored: value === undefined ? 0 : (scoredPerCell.get(`${task}\u0000${hint}`) ?? 0) };
        }),
      ),
    },
    steps: stepCurves(runs, configs),
    ranking: ranking(runs, configs),
    outcomes: nodeOutcomes(runs, configs),
    node_types: nodeTypesByStep(runs, configs, options.spreadOf ?? UNKNOWN_SPREAD),
    time_spreads: spreadTable(runs, options.spreadOf ?? UNKNOWN_SPREAD),
    costs: costTable(runs, configs),
    reproduction: reproductionTables(runs, configs, tasks, withIdeaEntropy(reproductionOf)),
    runs: runRows(runs, reproductionOf),
    chains: chainRows(runs),
    paper: options.paper ? paperSection(runs, configs, { ...stat, ...options.paper }) : null,
    judge: judgeReport(runs, configs),
    ideas: ideasReport(runs, configs),
  };
  return report;
}
