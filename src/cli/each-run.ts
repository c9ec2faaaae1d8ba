import { resolve } from 'node:path';
import { ExternalError, SpeedrunError, UserError } from '../core/errors.js';
import { findRunFolders, readRunSummary } from '../core/store/load-results.js';
import type { RunSummary } from '../core/store/schema.js';
import type { CliContext } from './context.js';

/**
 * The loop of the commands that measure finished runs one by one (`speedrun judge`, `speedrun distance`): every run
 * folder under the arguments, each visited once, a run that fails listed with its reason while the others go on.
 */

export interface FailedRun {
  run_id: string | null;
  dir: string;
  error: string;
  fix: string | null;
  /** The exit code this failure alone would give (2 bad input, 3 the endpoint or its answers). */
  exit_code: number;
}

/** Every run folder under the arguments, each once; none at all is bad input. */
export async function runFoldersUnder(dirs: readonly string[]): Promise<string[]> {
  const folders = [...new Set((await Promise.all(dirs.map((d) => findRunFolders(resolve(d))))).flat())];
  if (folders.length === 0) throw new UserError(`no run folder under ${dirs.join(', ')}`, 'give a results folder of `speedrun run` or `speedrun bench`');
  return folders;
}

/** Visits every finished run of `folders` (unfinished ones are skipped with a log line); SpeedrunErrors become failures. */
export async function eachFinishedRun<T>(
  ctx: CliContext,
  folders: readonly string[],
  opts: { label: string; signal: AbortSignal },
  visit: (dir: string, summary: RunSummary) => Promise<T>,
): Promise<{ done: T[]; failed: FailedRun[] }> {
  const done: T[] = [];
  const failed: FailedRun[] = [];
  for (const dir of folders) {
    opts.signal.throwIfAborted();
    let runId: string | null = null;
    try {
      // run.json alone: a damaged file of the measure itself is measured again and replaced, never a reason to skip the run.
      const summary = await readRunSummary(dir);
      if (!summary) {
        ctx.log(`${opts.label} ${dir}: not finished yet, skipped`);
        continue;
      }
      runId = summary.run_id;
      done.push(await visit(dir, summary));
    } catch (error) {
      if (!(error instanceof SpeedrunError)) throw error;
      ctx.log(`${opts.label} ${runId ?? dir}: failed: ${error.message}`);
      failed.push({ run_id: runId, dir, error: error.message, fix: error.fix ?? null, exit_code: error.exitCode });
    }
  }
  return { done, failed };
}

/** One error for every run that failed: exit 3 when an endpoint or its answers failed, 2 for bad input alone. */
export function failedRunsError(failed: readonly FailedRun[], done: number, words: { system: string; verb: string }): Error {
  const lines = failed.map((f) => `  ${f.run_id ?? f.dir}: ${f.error}`).join('\n');
  const message = `${failed.length} run${failed.length === 1 ? '' : 's'} not ${words.verb} (${done} ${words.verb}):\n${lines}`;
  const fixes = [...new Set(failed.map((f) => f.fix).filter((f): f is string => f !== null))].join('; ');
  return failed.some((f) => f.exit_code === 3) ? new ExternalError(words.system, message, fixes || undefined) : new UserError(message, fixes || undefined);
}
