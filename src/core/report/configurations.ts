import { compareHintSpecs, isScored } from '../score/per-hint.js';
import { softCondorcetOptimization, voteFromScores } from '../score/sco.js';
import { groupBy } from './groups.js';
import { modelOf, taskOf, type ReportRun } from './runs.js';
import type { Configuration, RankingRow } from './schema.js';

/**
 * A configuration is what a researcher compares: hint × model × scaffold. Its label names only the dimensions that
 * vary in this report, so a bench of one model and one scaffold reads "L1", not "L1 · gpt-x · flat".
 */
export interface Configurations {
  list: Configuration[];
  labelOf(run: ReportRun): string;
}

export function configurations(runs: readonly ReportRun[]): Configurations {
  const parts = (run: ReportRun) => ({ hint: run.summary.hint, model: modelOf(run), scaffold: run.summary.scaffold });
  const varies = {
    hint: new Set(runs.map((r) => r.summary.hint)).size > 1,
    model: new Set(runs.map(modelOf)).size > 1,
    scaffold: new Set(runs.map((r) => r.summary.scaffold)).size > 1,
  };
  const labels = new Map<string, string>();
  // Called for every run by every table: remembered per run object.
  const byRun = new WeakMap<ReportRun, string>();
  const labelOf = (run: ReportRun) => {
    const known = byRun.get(run);
    if (known !== undefined) return known;
    const p = parts(run);
    const key = `${p.hint}\u0000${p.model}\u0000${p.scaffold}`;
    let label = labels.get(key);
    if (label === undefined) {
      const shown = [varies.hint || (!varies.model && !varies.scaffold) ? p.hint : null, varies.model ? p.model : null, varies.scaffold ? p.scaffold : null];
      label = shown.filter((s): s is string => s !== null).join(' · ');
      labels.set(key, label);
    }
    byRun.set(run, label);
    return label;
  };
  const seen = new Map<string, Configuration>();
  for (const run of runs) {
    const label = labelOf(run);
    if (!seen.has(label)) seen.set(label, { label, ...parts(run) });
  }
  const list = [...seen.values()].sort((a, b) => compareHintSpecs(a.hint, b.hint) || a.model.localeCompare(b.model) || a.scaffold.localeCompare(b.scaffold));
  return { list, labelOf };
}

/** Mean FSR of scored runs per (task, configuration): the cells every vote and the matrix are made of. */
export function meanByTask(runs: readonly ReportRun[], labelOf: (run: ReportRun) => string): Map<string, Map<string, number>> {
  const byTask = new Map<string, Map<string, number>>();
  for (const [task, group] of groupBy(runs.filter(isScored), taskOf)) {
    const scores = new Map<string, number>();
    for (const [label, cell] of groupBy(group, labelOf)) scores.set(label, cell.reduce((s, r) => s + (r.summary.fsr as number), 0) / cell.length);
    byTask.set(task, scores);
  }
  return byTask;
}

/**
 * SCO ranking (each task votes with its per-configuration mean FSR) beside the mean-FSR ranking. Configurations
 * without a single scored run cannot be ranked and are left out.
 */
export function ranking(runs: readonly ReportRun[], configs: Configurations): RankingRow[] {
  const votes = [...meanByTask(runs, configs.labelOf).values()].map(voteFromScores);
  const sco = softCondorcetOptimization(votes);
  const means = new Map<string, number>();
  for (const [label, group] of groupBy(runs.filter(isScored), configs.labelOf)) {
    means.set(label, group.reduce((s, r) => s + (r.summary.fsr as number), 0) / group.length);
  }
  const byMean = [...means.entries()].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const meanRank = new Map<string, number>();
  byMean.forEach(([label, value], i) => {
    const prev = byMean[i - 1];
    meanRank.set(label, prev && prev[1] === value ? meanRank.get(prev[0])! : i + 1);
  });
  return sco.map((r) => ({
    configuration: r.alternative,
    sco_rank: r.rank,
    sco_rating: r.rating,
    mean_rank: meanRank.get(r.alternative) ?? null,
    mean_fsr: means.get(r.alternative) ?? null,
  }));
}
