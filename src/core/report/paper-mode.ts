import { bestThreePadded, PAPER_NANOGPT_TASKS, PAPER_VALIDITY_MARGIN, paperNodeTime, paperRunFsr } from '../score/paper-fsr.js';
import { paperAggregates, type PaperBootstrapOptions } from '../score/paper-stats.js';
import type { Configurations } from './configurations.js';
import { groupBy } from './groups.js';
import { PAPER_HINTS, PAPER_MODELS, PAPER_SCAFFOLDS, paperConfigKey, paperHintOf, paperModelOf, paperScaffoldOf } from './paper-names.js';
import { paperEstimate } from './paper-figures.js';
import type { NotebookConfig, PaperNotebook } from './paper-notebook.js';
import type { PaperRow, PaperSection, PublishedFigure } from './paper-schema.js';
import type { ReportRun } from './runs.js';

/**
 * `speedrun report --paper`: the user's runs aggregated the paper's way, beside the paper's figure for the same
 * configuration. Per run, the paper's FSR (score/paper-fsr.ts: a node counts when its final val_loss is below the
 * target + 0.01, 3.29 on nanogpt; values outside [0, 3] count 0); per task, the best 3 runs, padded; per
 * configuration, rliable's four aggregates of that (tasks × 3) matrix. On nanogpt only the paper's 18 tasks count.
 */

export interface PaperModeOptions extends PaperBootstrapOptions {
  /** Each track's target val_loss (records/<track>.json), for the validity threshold. */
  targets: ReadonlyMap<string, number>;
  /** The paper's notebook, when nanogpt runs are reported; null otherwise. */
  notebook: PaperNotebook | null;
}

const NANOGPT = 'nanogpt';

/** A run's search is over: its nodes are all it will have. Aborted and failed runs resume later. */
function isOver(run: ReportRun): boolean {
  return run.summary.status === 'finished' || run.summary.status === 'budget-exhausted';
}

function onPaperTask(run: ReportRun): boolean {
  return run.summary.track !== NANOGPT || PAPER_NANOGPT_TASKS.includes(run.summary.record);
}

function publishedFigure(config: NotebookConfig, tasks: ReadonlySet<number> | null): PublishedFigure | null {
  const rows = config.matrix.filter((_, i) => tasks === null || tasks.has(config.tasks[i]!));
  if (rows.length === 0) return null;
  return { key: config.key, tasks: rows.length, ...paperAggregates(rows) };
}

/** The notebook configuration matching one of ours, or why there is none. */
function paperConfig(hint: string, model: string, scaffold: string, tracks: ReadonlySet<string>, notebook: PaperNotebook | null): NotebookConfig | string {
  if ([...tracks].some((t) => t !== NANOGPT)) return `no published figure: the paper has none for track ${[...tracks].filter((t) => t !== NANOGPT).join(', ')}`;
  const h = paperHintOf(hint);
  const s = paperScaffoldOf(scaffold);
  const m = paperModelOf(model);
  if (h === null) return `no published figure: the paper ran hints ${PAPER_HINTS.map(([, ours]) => ours).join(', ')}, not ${hint}`;
  if (s === null) return `no published figure: the paper ran scaffolds ${PAPER_SCAFFOLDS.map(([, ours]) => ours).join(', ')}, not ${scaffold}`;
  if (m === null) return `no published figure: the paper ran models ${PAPER_MODELS.join(', ')}, not ${model}`;
  if (notebook === null) return "no published figure: the paper's notebook was not read";
  const key = paperConfigKey({ scaffold: s, hint: h, model: m });
  return notebook.configs.find((c) => c.key === key) ?? `no published figure: the notebook has no configuration ${key}`;
}

export function paperSection(runs: readonly ReportRun[], configs: Configurations, options: PaperModeOptions): PaperSection {
  const over = runs.filter(isOver);
  const counted = over.filter(onPaperTask);
  const tracks = [...new Set(runs.map((r) => r.summary.track))].sort();
  // A track without a known target counts only nodes that reached its target.
  const validBelow = (track: string) => {
    const target = options.targets.get(track);
    // Rounded so 3.28 + 0.01 reads 3.29, the notebooks' threshold, not 3.2899999999999996.
    return target === undefined ? null : Math.round((target + PAPER_VALIDITY_MARGIN) * 1e9) / 1e9;
  };
  const rows: PaperRow[] = [];
  for (const config of configs.list) {
    const group = counted.filter((r) => configs.labelOf(r) === config.label);
    if (group.length === 0) continue;
    const byTask = groupBy(group, (r) => `${r.summary.track}/${r.summary.record}`);
    const taskNames = [...byTask.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const matrix = taskNames.map((task) =>
      bestThreePadded(
        byTask.get(task)!.map((run) => {
          const below = validBelow(run.summary.track) ?? Number.NEGATIVE_INFINITY;
          const times = run.nodes.map((n) => paperNodeTime(n, below)).filter((t): t is number => t !== null);
          return paperRunFsr(run.summary.baseline_ms, run.summary.target_ms, times);
        }),
      ),
    );
    const published = paperConfig(config.hint, config.model, config.scaffold, new Set(group.map((r) => r.summary.track)), options.notebook);
    const records = new Set(group.map((r) => r.summary.record));
    rows.push({
      configuration: config.label,
      hint: config.hint,
      model: config.model,
      scaffold: config.scaffold,
      tasks: taskNames.length,
      runs: group.length,
      estimate: paperEstimate(matrix, options),
      published: typeof published === 'string' ? null : publishedFigure(published, records),
      published_all: typeof published === 'string' ? null : publishedFigure(published, null),
      published_note: typeof published === 'string' ? published : null,
    });
  }
  const notes = [
    "Paper mode (arXiv 2506.22419): a run scores (t_i − its fastest counting node) / (t_i − t_{i+1}), the baseline included; values outside [0, 3] count 0; per task the best 3 runs, padded by repeating the lowest; per configuration rliable's median (of the 3 column means), IQM (trimmed mean, 25% each end), mean and optimality gap. It selects best runs: compare it with published figures only, never as the benchmark's score.",
  ];
  if (tracks.includes(NANOGPT)) notes.push(`On nanogpt only the paper's 18 tasks count (records ${PAPER_NANOGPT_TASKS[0]}–5 and 7–19).`);
  if (tracks.some((t) => t !== NANOGPT))
    notes.push(`Tracks other than nanogpt count all their tasks, valid below their target + ${PAPER_VALIDITY_MARGIN}; the paper published no figure for them.`);
  notes.push(
    'The paper\'s figure is its notebook\'s matrix for the same model × scaffold × hint, on the tasks your runs cover ("paper tasks"); on all its tasks in report.json (published_all).',
  );
  return {
    validity: tracks.map((track) => ({ track, below: validBelow(track) })),
    left_out: { not_over: runs.length - over.length, other_tasks: over.length - counted.length },
    notes,
    rows,
  };
}
