import type { Configurations } from './configurations.js';
import { distanceFit, distanceMeans } from './distance-fit.js';
import type { DistanceFit } from './distance-schema.js';
import { groupBy } from './groups.js';
import { taskOf, type ReportRun } from './runs.js';
import type { ReproductionRow, RunReproduction } from './schema.js';

/** The mean of the values present; null when none is. */
function meanOf(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? present.reduce((a, b) => a + b, 0) / present.length : null;
}

const NOT_IN_CATALOG = /^n\/a \(record (\d+)'s script not in the catalog\)$/;

/** Each reason once; the "not in the catalog" ones of several records as one ("n/a (records 4, 11's scripts …)"). */
export function mergeReasons(reasons: readonly string[]): string | null {
  const records = new Set<number>();
  const others = new Set<string>();
  for (const reason of reasons) {
    const missing = NOT_IN_CATALOG.exec(reason);
    if (missing) records.add(Number(missing[1]));
    else others.add(reason);
  }
  const numbers = [...records].sort((a, b) => a - b);
  const merged =
    numbers.length === 0
      ? []
      : [numbers.length === 1 ? `n/a (record ${numbers[0]}'s script not in the catalog)` : `n/a (records ${numbers.join(', ')}: scripts not in the catalog)`];
  const all = [...merged, ...[...others].sort()];
  return all.length ? all.join('; ') : null;
}

function row(configuration: string, task: string | null, measures: readonly RunReproduction[]): ReproductionRow {
  const overlaps = measures.map((m) => m.diff_overlap).filter((o) => o !== null);
  const entropies = measures.map((m) => m.idea_entropy ?? null).filter((e) => e !== null);
  const reasons = measures.filter((m) => m.diff_overlap === null).map((m) => m.diff_overlap_note ?? 'unknown');
  return {
    configuration,
    task,
    runs: measures.length,
    diff_overlap_runs: overlaps.length,
    mean_recall: meanOf(overlaps.map((o) => o.recall)),
    mean_precision: meanOf(overlaps.map((o) => o.precision)),
    mean_f1: meanOf(overlaps.map((o) => o.f1)),
    hunks_reproduced: overlaps.reduce((n, o) => n + o.hunks_reproduced, 0),
    hunks_total: overlaps.reduce((n, o) => n + o.hunks_total, 0),
    diff_overlap_note: mergeReasons(reasons),
    idea_runs: entropies.length,
    mean_idea_entropy: meanOf(entropies),
    ...distanceMeans(measures),
  };
}

/** Per configuration, then per configuration and task (in the report's task order), over every run, scored or not. */
export function reproductionTables(
  runs: readonly ReportRun[],
  configs: Configurations,
  tasks: readonly string[],
  measuresOf: (run: ReportRun) => RunReproduction,
): { by_configuration: ReproductionRow[]; by_task: ReproductionRow[]; distance_fit: DistanceFit | null } {
  const groups = groupBy(runs, configs.labelOf);
  const byConfiguration: ReproductionRow[] = [];
  const byTask: ReproductionRow[] = [];
  for (const config of configs.list) {
    const group = groups.get(config.label) ?? [];
    if (group.length === 0) continue;
    byConfiguration.push(row(config.label, null, group.map(measuresOf)));
    const perTask = groupBy(group, taskOf);
    for (const task of tasks) {
      const taskRuns = perTask.get(task);
      if (taskRuns) byTask.push(row(config.label, task, taskRuns.map(measuresOf)));
    }
  }
  return { by_configuration: byConfiguration, by_task: byTask, distance_fit: distanceFit(runs, measuresOf) };
}
