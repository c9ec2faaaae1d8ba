import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { formatDamaged, type DamagedRun } from '../../core/store/damaged-run.js';
import { buildReport } from '../../core/report/build.js';
import { compareResults, renderComparison } from '../../core/report/compare.js';
import { loadReproduction } from '../../core/report/reproduction-lookup.js';
import { loadReportRuns } from '../../core/report/runs.js';
import { loadSpreadLookup } from '../../core/report/time-spread.js';
import { REPORT_FORMATS, writeReport, type ReportFormat } from '../../core/report/write.js';
import type { CliContext } from '../context.js';
import { parsePositiveInt } from '../options.js';
import { paperInputs, renderPaperSection, runPaperFigures } from './report-paper.js';

interface ReportFlags {
  out?: string;
  format: string;
  seed: string;
  reps: string;
  compare?: string[];
  json?: boolean;
  paper?: boolean;
  paperFigures?: boolean;
  notebook?: string;
}

const HELP_AFTER = `
Statistics: FSR over scored runs (finished, with an FSR); aborted and failed runs are counted, never scored as 0.
Mean, IQM, median (of task means) and optimality gap with 95% percentile CIs from a bootstrap stratified by task
(seeded: the same runs and --seed give the same report). Configurations are ranked by Soft Condorcet Optimization
(each task votes) beside mean FSR. Node types by search step follow the paper (buggy / no improvement / improved).
Numbers resting on runs without a passing verification.json are marked † (unverified).
Reproduction: diff overlap, the recall and precision of the best node's changed code lines against the true change
(record i → i+1, read from the catalog: \`speedrun records sync\` for upstream tracks; n/a where not synced).

Paper mode (arXiv 2506.22419), only to compare with published figures: --paper adds the paper's aggregation (its 18
nanogpt tasks, val_loss < 3.29, best 3 runs per task, FSR outside [0, 3] counted 0; rliable's median, IQM, mean and
optimality gap) with the paper's figure for the same configuration. --paper-figures recomputes the published
aggregates from the notebook that \`speedrun records sync --track nanogpt\` fetches, and checks them against the
figures it printed (point estimates exact; our bootstrap CIs are seeded, not numpy's).

Examples:
  speedrun report results/bench-2025-01-01            writes results/bench-2025-01-01/report/{report.md,...}
  speedrun report results/a results/b --out paper     one report over several folders
  speedrun report --compare results/model-a results/model-b
  speedrun report results/nanogpt-bench --paper            adds the paper section, printed too
  speedrun report --paper-figures [--json] [--reps 50000]  the paper's own aggregates, recomputed`;

/** `speedrun report`: per-hint comparison reports with honest statistics (docs/architecture.md, "Measurement"). */
export function registerReportCommand(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .description('Compare hint levels, models and scaffolds over results folders: report.md, report.html, report.json, runs.csv')
    .argument('[results...]', 'results folders (a bench, single runs, or a tree of them)')
    .option('--out <dir>', 'folder for the report files (default: RESULTS/report for one folder)')
    .option('--format <list>', `formats, comma-separated: ${REPORT_FORMATS.join(',')}`, REPORT_FORMATS.join(','))
    .option('--seed <n>', 'bootstrap seed', '0')
    .option('--reps <n>', 'bootstrap resamples', '2000')
    .option('--compare <dirs...>', 'compare two result sets A B: mean FSR difference A − B with its CI')
    .option('--json', 'print one JSON object on stdout (the written files, or the comparison)')
    .option('--paper', "add the paper's aggregation (best 3 of N, 18 tasks) beside its published figures")
    .option('--paper-figures', "recompute the paper's published aggregates from its notebook (no results folder)")
    .option('--notebook <file>', "read this copy of the paper's notebook instead of the synced one")
    .addHelpText('after', HELP_AFTER)
    .action(async (results: string[], flags: ReportFlags) => {
      const stat = { seed: parseSeed(flags.seed), reps: parsePositiveInt(flags.reps, '--reps'), level: 0.95 };
      if (flags.paperFigures) {
        if (results.length > 0 || flags.compare || flags.paper) {
          throw new UserError("--paper-figures reads the paper's notebook, not results folders", 'e.g. speedrun report --paper-figures --json');
        }
        return runPaperFigures(ctx, flags, stat);
      }
      if (flags.compare) {
        if (flags.compare.length !== 2 || results.length > 0) {
          throw new UserError('--compare takes exactly two results folders and no other', 'e.g. speedrun report --compare results/model-a results/model-b');
        }
        const [a, b] = flags.compare as [string, string];
        const [loadedA, loadedB] = await Promise.all([loadReportRuns([a]), loadReportRuns([b])]);
        logDamaged(ctx, [...loadedA.damaged, ...loadedB.damaged]);
        const [runsA, runsB] = [loadedA.runs, loadedB.runs];
        const comparison = compareResults(a, runsA, b, runsB, stat);
        if (comparison.common_tasks.length === 0) {
          throw new UserError(`${a} and ${b} share no task`, 'compare result sets that ran the same records (e.g. two models on one bench spec)');
        }
        if (flags.json) ctx.json(comparison);
        else ctx.out(renderComparison(comparison));
        return;
      }
      if (results.length === 0) throw new UserError('no results folder given', 'e.g. speedrun report results/<bench folder>');
      if (results.length > 1 && !flags.out) throw new UserError('several results folders need --out', 'e.g. --out report-all');
      const formats = parseFormats(flags.format);
      const outDir = resolve(flags.out ?? `${results[0]}/report`);
      const { runs, damaged } = await loadReportRuns(results);
      ctx.log(
        `report: ${runs.length} runs from ${results.join(', ')}${damaged.length ? `, ${damaged.length} damaged run${damaged.length === 1 ? '' : 's'} left out` : ''}`,
      );
      logDamaged(ctx, damaged);
      const spreadOf = await loadSpreadLookup(runs, ctx.cache());
      const reproductionOf = await loadReproduction(runs, ctx.cache());
      const paper = flags.paper ? await paperInputs(ctx, runs, flags.notebook) : undefined;
      const report = buildReport(runs, { sources: results, ...stat, spreadOf, reproductionOf, paper });
      const files = await writeReport(report, outDir, formats);
      if (flags.json) {
        ctx.json({
          files,
          totals: report.totals,
          by_hint: report.by_hint,
          reproduction: report.reproduction.by_configuration,
          damaged,
          ...(report.paper ? { paper: report.paper } : {}),
        });
        return;
      }
      ctx.out(files.join('\n'));
      if (report.paper) ctx.out(`\n${renderPaperSection(report)}`);
    });
}

/** A damaged run is left out of the numbers, never silently: one line each on stderr. */
function logDamaged(ctx: CliContext, damaged: readonly DamagedRun[]): void {
  for (const d of damaged) ctx.log(`report: damaged run left out: ${formatDamaged(d)}`);
}

function parseFormats(raw: string): ReportFormat[] {
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !(REPORT_FORMATS as readonly string[]).includes(n));
  if (names.length === 0 || bad.length > 0) {
    throw new UserError(`unknown report format${bad.length === 1 ? '' : 's'}: ${bad.join(', ') || '(none)'}`, `choose from ${REPORT_FORMATS.join(', ')}`);
  }
  return [...new Set(names)] as ReportFormat[];
}

function parseSeed(raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new UserError(`--seed must be a whole number ≥ 0, got ${JSON.stringify(raw)}`, 'e.g. --seed 0');
  return Number(raw);
}
