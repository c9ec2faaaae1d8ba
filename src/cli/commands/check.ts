import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { checkScript, type IntegrityReport } from '../../core/measure/integrity.js';
import type { CliContext } from '../context.js';

interface CheckFlags {
  against: string;
  json?: boolean;
  python?: string;
}

const HELP_AFTER = `
Exit status: 0 when the verdict is ok or flag, 1 when it is reject, 2 when a file is missing or unreadable,
3 when Python cannot run the checker.

Protected (any change of meaning is a reject): val_tokens and the NANOGPT_* variables it and the data paths come
from, the validation batch arithmetic and loss computation, the shard loader, the training clock and where it
starts and stops, the metric print lines. Anywhere: monkey-patching clocks/print/stdout, validation data in the
training loop, hard-coded metric values, subprocess/network, torch._inductor/_dynamo config (reject); new imports,
new file access, changed seeds, eval/exec (flag).`;

/** `speedrun check SCRIPT --against BASELINE`: does an edited record script keep the measurement honest? */
export function registerCheckCommand(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description('Check an edited training script against its baseline for changes to protected regions (integrity)')
    .argument('<script>', 'the edited training script')
    .requiredOption('--against <baseline>', 'the script it was edited from (e.g. records/tiny/r01/train_gpt.py)')
    .option('--json', 'print one JSON object: {"verdict", "findings": [{"rule","severity","lines","message"}]}')
    .option('--python <path>', 'Python 3 interpreter for the checker (default: $SPEEDRUN_PYTHON, else python3); torch is not needed')
    .addHelpText('after', HELP_AFTER)
    .action(async (script: string, flags: CheckFlags) => {
      const [source, baseline] = await Promise.all([readScript(script), readScript(flags.against)]);
      const python = flags.python ?? ctx.env.SPEEDRUN_PYTHON ?? 'python3';
      const report = await checkScript({ script: source, baseline, python });
      if (flags.json) ctx.json(report);
      else ctx.out(humanReport(script, flags.against, report));
      if (report.verdict === 'reject') process.exitCode = 1;
    });
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
