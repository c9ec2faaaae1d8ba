import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { getRecord, loadTrack, parseTrackName, resolveRecordScript } from '../../core/catalog/catalog.js';
import { checkScript, type IntegrityReport } from '../../core/measure/integrity.js';
import { auditTask, type AuditTask } from '../../core/search/integrity-gate.js';
import type { CliContext } from '../context.js';
import { parsePositiveInt } from '../options.js';

interface CheckFlags {
  against?: string;
  reference?: string;
  track?: string;
  record?: string;
  json?: boolean;
  python?: string;
}

const HELP_AFTER = `
The task: --track T --record N checks SCRIPT as an edit of record N, with record N+1 as the change the task is
about (what record N+1 changes the same way is flagged as "the record itself changed this", never rejected); the
records come from the catalog (run \`speedrun records sync\` first for upstream tracks). Or name the files:
--against BASELINE [--reference NEXT].

Exit status: 0 when the verdict is ok or flag, 1 when it is reject, 2 when a file is missing or unreadable,
3 when Python cannot run the checker.

Protected (any change of meaning is a reject): val_tokens and the NANOGPT_* variables it and the data paths come
from, the validation batch arithmetic and loss computation, the shard loader, the training clock and where it
starts and stops, the metric print lines. Anywhere, judged only where new relative to the baseline:
monkey-patching clocks/print/stdout, validation data in the training loop, hard-coded metric values,
subprocess/network, torch._inductor/_dynamo config, files read by an absolute path (reject); new third-party
imports, other new file access, changed seeds, eval/exec (flag).`;

/** `speedrun check SCRIPT --against BASELINE`: does an edited record script keep the measurement honest? */
export function registerCheckCommand(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description('Check an edited training script against its task (baseline record and next record) for changes to protected regions')
    .argument('<script>', 'the edited training script')
    .option('--track <track>', 'with --record: the task the script belongs to, its scripts from the catalog')
    .option('--record <n>', 'with --track: the record the script was edited from (the task aims for record n+1)')
    .option('--against <baseline>', 'the script it was edited from (e.g. records/tiny/r01/train_gpt.py)')
    .option('--reference <next>', "with --against: the task's true next record script")
    .option('--json', 'print one JSON object: {"verdict", "findings": [{"rule","severity","lines","message","by_record"?}]}')
    .option('--python <path>', 'Python 3 interpreter for the checker (default: $SPEEDRUN_PYTHON, else python3); torch is not needed')
    .addHelpText('after', HELP_AFTER)
    .action(async (script: string, flags: CheckFlags) => {
      const task = await checkTask(flags, ctx);
      const source = await readScript(script);
      const python = flags.python ?? ctx.env.SPEEDRUN_PYTHON ?? 'python3';
      const report = await checkScript({ script: source, ...task, python });
      if (flags.json) ctx.json(report);
      else ctx.out(humanReport(script, task.label, report));
      if (report.verdict === 'reject') process.exitCode = 1;
    });
}

async function checkTask(flags: CheckFlags, ctx: CliContext): Promise<AuditTask & { label: string }> {
  if (flags.track !== undefined || flags.record !== undefined) {
    if (flags.track === undefined || flags.record === undefined || flags.against !== undefined || flags.reference !== undefined) {
      throw new UserError('--track and --record go together, without --against/--reference', 'e.g. speedrun check my_edit.py --track nanogpt --record 12');
    }
    const manifest = await loadTrack(parseTrackName(flags.track));
    const record = parsePositiveInt(flags.record, '--record');
    getRecord(manifest, record + 1); // a task needs a next record; an unknown one fails listing the valid ones
    const baseline = await readFile(await resolveRecordScript(manifest, record, ctx.cache()), 'utf8');
    return { ...(await auditTask(manifest, record, baseline, ctx.cache())), label: `${manifest.track} record ${record} (task ${record} → ${record + 1})` };
  }
  if (flags.against === undefined) {
    throw new UserError('no baseline to check against', 'give the task (--track T --record N) or the baseline script (--against FILE)');
  }
  const [baseline, reference] = await Promise.all([readScript(flags.against), flags.reference ? readScript(flags.reference) : null]);
  return { baseline, reference, label: flags.reference ? `${flags.against} (next record ${flags.reference})` : flags.against };
}

async function readScript(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`script not found: ${path}`, 'check the path (relative paths are taken from the current directory)');
    throw new UserError(`cannot read ${path}: ${(error as Error).message}`, 'give the path of a Python script you can read');
  }
}

function humanReport(script: string, baseline: string, report: IntegrityReport): string {
  const lines = [`${script} against ${baseline}: ${report.verdict}`];
  if (report.findings.length === 0) lines.push('no findings: every protected region keeps its meaning');
  for (const f of report.findings) {
    const where = f.lines.length === 0 ? '' : ` (line${f.lines.length > 1 ? 's' : ''} ${span(f.lines)})`;
    lines.push(`  ${f.severity.padEnd(6)} ${f.rule}${where}: ${f.message}`);
  }
  return lines.join('\n');
}

/** "12-15, 40" instead of every number of a long region. */
function span(lines: readonly number[]): string {
  const parts: string[] = [];
  let start = lines[0] ?? 0;
  let prev = start;
  for (const line of [...lines.slice(1), Number.NaN]) {
    if (line === prev + 1) {
      prev = line;
      continue;
    }
    parts.push(start === prev ? `${start}` : `${start}-${prev}`);
    start = prev = line;
  }
  return parts.join(', ');
}
