import { IDEA_CLASS_IDS } from '../ideas/taxonomy.js';
import { isScored } from '../score/per-hint.js';
import { formatFsr } from '../score/fsr.js';
import type { Configurations } from './configurations.js';
import { int, NONE } from './format.js';
import { groupBy } from './groups.js';
import type { IdeasReport } from './ideas-schema.js';
import { pearson } from './judge-section.js';
import type { ReproductionOf } from './reproduction-lookup.js';
import { taskOf, type ReportRun } from './runs.js';
import type { Report } from './schema.js';
import type { Section } from './section.js';

/** Ideation diversity (`speedrun ideas`): the entropy of each run's first draft ideas, per configuration and against FSR. */

const mean = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

const entropyOf = (run: ReportRun): number | null => run.ideas?.entropy_bits ?? null;

/** The reproduction measures with each run's idea entropy added, for the "Reproduction" tables. */
export function withIdeaEntropy(reproductionOf: ReproductionOf): ReproductionOf {
  return (run) => ({ ...reproductionOf(run), idea_entropy: entropyOf(run) });
}

/** Ranks from 1, ties sharing their mean rank. */
function ranks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x);
  const out = new Array<number>(xs.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.x === order[start]!.x) end++;
    for (let j = start; j <= end; j++) out[order[j]!.i] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return out;
}

/** Spearman's ρ: Pearson's r of the ranks; null with fewer than 3 pairs or a constant side. */
export function spearman(xs: readonly number[], ys: readonly number[]): number | null {
  return xs.length !== ys.length ? null : pearson(ranks(xs), ranks(ys));
}

/** report.json's `ideas`, or null when no run has an ideas.json. */
export function ideasReport(runs: readonly ReportRun[], configs: Configurations): IdeasReport | null {
  const withFile = runs.filter((r) => r.ideas);
  if (withFile.length === 0) return null;
  const classified = withFile.filter((r) => entropyOf(r) !== null);
  const groups = groupBy(classified, configs.labelOf);
  const all = groupBy(runs, configs.labelOf);
  const rows = configs.list.map((config) => {
    const group = groups.get(config.label) ?? [];
    return {
      configuration: config.label,
      runs: (all.get(config.label) ?? []).length,
      classified: group.length,
      mean_entropy: mean(group.map((r) => entropyOf(r)!)),
      mean_drafts: mean(group.map((r) => r.ideas!.first_k.length)),
      mean_fsr: mean(group.filter(isScored).map((r) => r.summary.fsr as number)),
    };
  });
  const class_counts = configs.list
    .filter((config) => (groups.get(config.label) ?? []).length > 0)
    .map((config) => {
      const counts: Record<string, number> = Object.fromEntries(IDEA_CLASS_IDS.map((c) => [c, 0]));
      for (const run of groups.get(config.label)!) for (const [c, n] of Object.entries(run.ideas!.class_counts)) counts[c] = (counts[c] ?? 0) + n;
      return { configuration: config.label, drafts: Object.values(counts).reduce((a, b) => a + b, 0), counts };
    });
  const points = classified
    .filter(isScored)
    .map((r) => ({ run_id: r.summary.run_id, configuration: configs.labelOf(r), task: taskOf(r), entropy: entropyOf(r)!, fsr: r.summary.fsr as number }));
  const [xs, ys] = [points.map((p) => p.entropy), points.map((p) => p.fsr)];
  return {
    classified: classified.length,
    models: [...new Set(withFile.map((r) => r.ideas!.model))].sort(),
    prompt_versions: [...new Set(withFile.map((r) => r.ideas!.prompt_version))].sort(),
    taxonomy_versions: [...new Set(withFile.map((r) => r.ideas!.taxonomy_version))].sort(),
    ks: [...new Set(withFile.map((r) => r.ideas!.k))].sort((a, b) => (a ?? Infinity) - (b ?? Infinity)),
    classes: [...new Set([...IDEA_CLASS_IDS, ...class_counts.flatMap((row) => Object.keys(row.counts))])],
    rows,
    class_counts,
    points,
    pearson: pearson(xs, ys),
    spearman: spearman(xs, ys),
  };
}

const f3 = (x: number | null) => (x === null ? NONE : x.toFixed(3));

/** The report's sections; none when no run was classified. */
export function ideasSections(report: Report): Section[] {
  const ideas = report.ideas;
  if (!ideas) return [];
  const relation =
    ideas.pearson === null
      ? 'too few points (or no spread) for a correlation with FSR'
      : `over ${ideas.points.length} scored runs, Pearson's r of entropy and FSR is ${ideas.pearson.toFixed(2)}, Spearman's ρ ${f3(ideas.spearman)}`;
  const k = ideas.ks.map((v) => (v === null ? 'all' : String(v))).join(', ');
  return [
    {
      id: 'ideas',
      title: 'Ideation diversity',
      intro:
        `The spread of each run's first ideas (\`speedrun ideas\`, docs/ideas.md): a model (${ideas.models.join(', ')}, prompts ${ideas.prompt_versions.map((v) => `ideas/${v}`).join(', ')}) ` +
        `put each draft node's idea into one class of taxonomy ${ideas.taxonomy_versions.join(', ')}, and a run's entropy is the Shannon entropy (bits) of the primary classes of its first K drafts (K = ${k}): ` +
        `0 when all are one class. ${ideas.classified} runs have an entropy; ${relation}. Mean FSR is over the classified runs that are scored.`,
      table: {
        headers: ['configuration', 'runs', 'classified', 'mean entropy (bits)', 'mean drafts', 'mean FSR'],
        rows: ideas.rows.map((row) => [
          row.configuration,
          int(row.runs),
          int(row.classified),
          f3(row.mean_entropy),
          row.mean_drafts === null ? NONE : row.mean_drafts.toFixed(1),
          formatFsr(row.mean_fsr, NONE),
        ]),
      },
      ...(ideas.points.length > 0 ? { chart: 'entropy-vs-fsr' as const } : {}),
    },
    {
      id: 'idea-classes',
      title: 'Idea classes',
      intro: "The primary classes of the classified runs' first drafts (the ones their entropies rest on), counted per configuration.",
      table: {
        headers: ['configuration', 'drafts', ...ideas.classes],
        rows: ideas.class_counts.map((row) => [row.configuration, int(row.drafts), ...ideas.classes.map((c) => int(row.counts[c] ?? 0))]),
      },
    },
  ];
}
