import { UserError } from '../errors.js';
import { PAPER_METRICS, paperAggregates, paperBootstrap, type PaperBootstrapOptions, type PaperMatrix } from '../score/paper-stats.js';
import { ourHint, ourScaffold, PAPER_HINTS, PAPER_MODELS, PAPER_SCAFFOLDS, paperConfigKey } from './paper-names.js';
import type { NotebookConfig, PaperNotebook, PrintedFigure } from './paper-notebook.js';
import { PaperFigures, type PaperEstimate, type PaperFigureRow } from './paper-schema.js';

/**
 * `speedrun report --paper-figures`: the paper's published aggregates recomputed, with our statistics code, from the
 * per-configuration best-3 matrices its notebook printed, pooled the way its cells 22, 37 and 47 pool them, and set
 * beside the figures the notebook printed itself (cells 30 and 43).
 */

export interface NotebookSource {
  path: string;
  sha256: string;
}

/** Our aggregates and CIs of one matrix. */
export function paperEstimate(matrix: PaperMatrix, options: PaperBootstrapOptions): PaperEstimate {
  return { ...paperAggregates(matrix), rows: matrix.length, ci: paperBootstrap(matrix, options) };
}

/** The same to 4 decimals, as the paper's tables print them. */
function sameTo4(a: number, b: number): boolean {
  return a.toFixed(4) === b.toFixed(4);
}

function figureRow(label: string, key: string, matrix: PaperMatrix, printed: PrintedFigure | undefined, options: PaperBootstrapOptions): PaperFigureRow {
  const estimate = paperEstimate(matrix, options);
  const notebook = printed ? { ...printed.point, ci: printed.ci } : null;
  return {
    label,
    key,
    ...estimate,
    notebook,
    matches: notebook ? PAPER_METRICS.every((m) => sameTo4(estimate[m], notebook[m])) : null,
  };
}

export function paperFigures(notebook: PaperNotebook, source: NotebookSource, options: PaperBootstrapOptions): PaperFigures {
  const byKey = new Map(notebook.configs.map((c) => [c.key, c]));
  const grid = PAPER_MODELS.flatMap((model) => PAPER_SCAFFOLDS.flatMap(([scaffold]) => PAPER_HINTS.map(([hint]) => paperConfigKey({ scaffold, hint, model }))));
  const missing = grid.filter((key) => !byKey.has(key));
  if (missing.length > 0) {
    throw new UserError(
      `${source.path} lacks ${missing.length} of the paper's ${grid.length} configurations (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}), so its pooled figures cannot be recomputed`,
      'use the notebook as `speedrun records sync --track nanogpt` fetches it',
    );
  }
  const config = (scaffold: string, hint: string, model: string): NotebookConfig => byKey.get(`${scaffold}_${hint}_${model}`)!;
  const stack = (configs: NotebookConfig[]): PaperMatrix => configs.flatMap((c) => c.matrix);
  const printedHint = new Map(notebook.printed.by_hint.map((p) => [p.group, p]));
  const printedScaffold = new Map(notebook.printed.by_scaffold.map((p) => [p.group, p]));

  // Cell 22: per hint, models outer, scaffolds inner.
  const byHint = PAPER_HINTS.map(([hint]) =>
    figureRow(
      ourHint(hint),
      `${hint}_all_model_all_searches`,
      stack(PAPER_MODELS.flatMap((m) => PAPER_SCAFFOLDS.map(([s]) => config(s, hint, m)))),
      printedHint.get(hint),
      options,
    ),
  );
  // Cell 37: per scaffold, models outer, hints inner.
  const byScaffold = PAPER_SCAFFOLDS.map(([scaffold]) =>
    figureRow(
      ourScaffold(scaffold),
      `${scaffold}_all_model_all_hints`,
      stack(PAPER_MODELS.flatMap((m) => PAPER_HINTS.map(([h]) => config(scaffold, h, m)))),
      printedScaffold.get(scaffold),
      options,
    ),
  );
  // Cell 47: per model, scaffolds outer, hints inner.
  const byModel = PAPER_MODELS.map((model) =>
    figureRow(
      model,
      `${model}_all_searches_all_hint`,
      stack(PAPER_SCAFFOLDS.flatMap(([s]) => PAPER_HINTS.map(([h]) => config(s, h, model)))),
      undefined,
      options,
    ),
  );
  const configurations = PAPER_MODELS.flatMap((model) =>
    PAPER_SCAFFOLDS.flatMap(([scaffold]) =>
      PAPER_HINTS.map(([hint]) => {
        const c = config(scaffold, hint, model);
        const label = `${ourHint(hint)} · ${model} · ${ourScaffold(scaffold)}`;
        return { ...figureRow(label, c.key, c.matrix, undefined, options), hint: ourHint(hint), model, scaffold: ourScaffold(scaffold), tasks: c.tasks };
      }),
    ),
  );
  const printedRows = [...byHint, ...byScaffold].filter((r) => r.matches !== null);
  return PaperFigures.parse({
    notebook: { path: source.path, sha256: source.sha256, configurations: notebook.configs.length },
    statistics: {
      bootstrap_reps: options.reps,
      seed: options.seed,
      level: options.level,
      note: "Point estimates are rliable's (median of column means, scipy trim_mean 0.25, mean, optimality gap γ = 1) and must equal the notebook's. CIs are ours: rliable's stratified bootstrap (each column's rows redrawn) with our seeded generator, so they agree with the notebook's (50,000 numpy resamples) in distribution only.",
    },
    by_hint: byHint,
    by_scaffold: byScaffold,
    by_model: byModel,
    configurations,
    all_match: printedRows.length > 0 && printedRows.every((r) => r.matches === true),
  });
}
