import { isScored } from '../score/per-hint.js';
import { formatFsr } from '../score/fsr.js';
import type { Configurations } from './configurations.js';
import { int, NONE } from './format.js';
import { groupBy } from './groups.js';
import type { JudgeReport } from './judge-schema.js';
import { taskOf, type ReportRun } from './runs.js';
import type { Report } from './schema.js';
import type { Section } from './section.js';

/** The judged reproduction (`speedrun judge`): each configuration's mean judge score beside its FSR. */

const mean = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** report.json's `judge`, or null when no run has a judge.json. */
export function judgeReport(runs: readonly ReportRun[], configs: Configurations): JudgeReport | null {
  const judged = runs.filter((r) => r.judge);
  if (judged.length === 0) return null;
  const groups = groupBy(runs, configs.labelOf);
  const rows = configs.list.map((config) => {
    const group = groups.get(config.label) ?? [];
    const withScore = group.filter((r) => r.judge);
    return {
      configuration: config.label,
      runs: group.length,
      judged: withScore.length,
      mean_score: mean(withScore.map((r) => r.judge!.score)),
      mean_fsr: mean(withScore.filter(isScored).map((r) => r.summary.fsr as number)),
    };
  });
  const points = judged
    .filter(isScored)
    .map((r) => ({ run_id: r.summary.run_id, configuration: configs.labelOf(r), task: taskOf(r), score: r.judge!.score, fsr: r.summary.fsr as number }));
  return {
    judged: judged.length,
    models: [...new Set(judged.map((r) => r.judge!.model))].sort(),
    prompt_versions: [...new Set(judged.map((r) => r.judge!.prompt_version))].sort(),
    rows,
    points,
    correlation: pearson(
      points.map((p) => p.score),
      points.map((p) => p.fsr),
    ),
  };
}

/** Pearson's r; null with fewer than 3 pairs or a constant side. */
export function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  if (xs.length < 3 || xs.length !== ys.length) return null;
  const mx = mean(xs)!;
  const my = mean(ys)!;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    const dx = x - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  });
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

/** The report's section; none when no run was judged. */
export function judgeSections(report: Report): Section[] {
  const judge = report.judge;
  if (!judge) return [];
  const r =
    judge.correlation === null ? 'too few points (or no spread) for a correlation' : `Pearson's r of judge score and FSR: ${judge.correlation.toFixed(2)}`;
  return [
    {
      id: 'judge',
      title: 'Judged reproduction',
      intro:
        `How much of the next record's change each run's best node reproduced, as a judge model scored it (0–1; ` +
        `\`speedrun judge\`, docs/judge.md): ${judge.judged} runs judged by ${judge.models.join(', ')} with prompts ${judge.prompt_versions.map((v) => `judge/${v}`).join(', ')}. ` +
        `Mean FSR is over the judged runs that are scored. ${r}. Each run's score is in report.json and runs.csv.`,
      table: {
        headers: ['configuration', 'runs', 'judged', 'mean judge score', 'mean FSR'],
        rows: judge.rows.map((row) => [
          row.configuration,
          int(row.runs),
          int(row.judged),
          row.mean_score === null ? NONE : row.mean_score.toFixed(3),
          formatFsr(row.mean_fsr, NONE),
        ]),
      },
      chart: 'judge-vs-fsr',
    },
  ];
}
