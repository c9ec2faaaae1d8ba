import { resolve } from 'node:path';
import { loadTrack } from '../../core/catalog/load.js';
import { resolvePaperNotebook } from '../../core/catalog/paper-files.js';
import { sha256OfFile } from '../../core/catalog/files.js';
import { TrackName } from '../../core/catalog/schema.js';
import { SpeedrunError, UserError } from '../../core/errors.js';
import { markdownTable } from '../../core/report/markdown.js';
import { paperFigures } from '../../core/report/paper-figures.js';
import { renderPaperFigures } from '../../core/report/paper-figures-text.js';
import { readPaperNotebook, type PaperNotebook } from '../../core/report/paper-notebook.js';
import { paperSections } from '../../core/report/paper-sections.js';
import type { ReportRun } from '../../core/report/runs.js';
import type { Report } from '../../core/report/schema.js';
import type { CliContext } from '../context.js';

/** The paper's notebook: a copy the user names, else the synced one (sha256-checked), else a user error saying to sync. */
async function notebookPath(ctx: CliContext, named: string | undefined): Promise<string> {
  if (named !== undefined) {
    const path = resolve(named);
    if ((await sha256OfFile(path)) === undefined)
      throw new UserError(`no notebook at ${path}`, 'name the file with --notebook, or leave it out to read the synced copy');
    return path;
  }
  return resolvePaperNotebook(await loadTrack('nanogpt'), ctx.cache());
}

/** `speedrun report --paper-figures`: the published aggregates recomputed and checked against the notebook's own. */
export async function runPaperFigures(
  ctx: CliContext,
  flags: { notebook?: string; json?: boolean },
  stat: { reps: number; seed: number; level: number },
): Promise<void> {
  const path = await notebookPath(ctx, flags.notebook);
  const figures = paperFigures(await readPaperNotebook(path), { path, sha256: (await sha256OfFile(path))! }, stat);
  if (flags.json) ctx.json(figures);
  else ctx.out(renderPaperFigures(figures));
  if (!figures.all_match) {
    const off = [...figures.by_hint, ...figures.by_scaffold].filter((r) => r.matches === false).map((r) => r.label);
    throw new SpeedrunError(
      `the recomputed point estimates differ from the notebook's printed figures for ${off.join(', ') || 'every group (none printed)'}`,
      1,
      "report this to the speedrun maintainers with the notebook's sha256",
    );
  }
}

/** What `--paper` needs beside the runs: each track's target, and the notebook when nanogpt runs are reported. */
export async function paperInputs(
  ctx: CliContext,
  runs: readonly ReportRun[],
  named: string | undefined,
): Promise<{ targets: Map<string, number>; notebook: PaperNotebook | null }> {
  const targets = new Map<string, number>();
  for (const track of new Set(runs.map((r) => r.summary.track))) {
    const name = TrackName.safeParse(track);
    if (name.success) targets.set(track, (await loadTrack(name.data)).target_val_loss);
  }
  const nanogpt = runs.some((r) => r.summary.track === 'nanogpt');
  return { targets, notebook: nanogpt ? await readPaperNotebook(await notebookPath(ctx, named)) : null };
}

/** The paper section as the CLI prints it after a `--paper` report. */
export function renderPaperSection(report: Report): string {
  const [section] = paperSections(report);
  if (!section) return '';
  return `## ${section.title}\n\n${section.intro}\n\n${markdownTable(section.table)}\n`;
}
