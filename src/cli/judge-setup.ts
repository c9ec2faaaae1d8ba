import { join, resolve } from 'node:path';
import { SpeedrunError, UserError } from '../core/errors.js';
import { loadJudgeInputs } from '../core/judge/judge-inputs.js';
import type { JudgePrompts } from '../core/judge/judge-prompts.js';
import { JudgeReplayClient, latestSession, namedModel, recordedJudgeModel } from '../core/judge/judge-replay.js';
import { judgeRun, type JudgeOutcome, type JudgeRunOptions } from '../core/judge/judge-run.js';
import { readJudgeCalls } from '../core/store/judge-calls.js';
import { JUDGE_CALLS_FILE, JUDGE_FILE } from '../core/store/layout.js';
import { findRunFolders, readRunSummary } from '../core/store/load-results.js';
import type { CliContext } from './context.js';
import { liveModel } from './live-model.js';

export interface JudgeSettings {
  prompts: JudgePrompts;
  /** Live judging: the model flags; replay: the model whose recorded judging to replay (default the latest). */
  model?: string;
  config?: string;
  baseUrl?: string;
  replay: boolean;
  force: boolean;
  answerRetries: number;
  signal: AbortSignal;
}

export interface JudgedRun {
  run_id: string;
  dir: string;
  status: JudgeOutcome['status'];
  node: number;
  score: number;
  model: string;
  file: string;
}

export interface FailedRun {
  run_id: string | null;
  dir: string;
  error: string;
  fix: string | null;
  /** The exit code this failure alone would give (2 bad input, 3 the endpoint or the judge's answers). */
  exit_code: number;
}

/**
 * Judges every finished run under the folders, one at a time, going on after a run that fails (listed with its
 * reason). The live endpoint is resolved and checked once, before the first call any run needs.
 */
export async function judgeResults(ctx: CliContext, dirs: readonly string[], settings: JudgeSettings): Promise<{ judged: JudgedRun[]; failed: FailedRun[] }> {
  const folders = [...new Set((await Promise.all(dirs.map((d) => findRunFolders(resolve(d))))).flat())];
  if (folders.length === 0) throw new UserError(`no run folder under ${dirs.join(', ')}`, 'give a results folder of `speedrun run` or `speedrun bench`');
  const live = settings.replay ? null : await liveJudge(ctx, settings);
  const judged: JudgedRun[] = [];
  const failed: FailedRun[] = [];
  for (const dir of folders) {
    settings.signal.throwIfAborted();
    let runId: string | null = null;
    try {
      // run.json alone: a damaged judge.json is judged again and replaced, never a reason to skip the run.
      const summary = await readRunSummary(dir);
      if (!summary) {
        ctx.log(`judge ${dir}: not finished yet, skipped`);
        continue;
      }
      runId = summary.run_id;
      const inputs = await loadJudgeInputs({ runDir: dir, summary, cache: ctx.cache() });
      const common = { runDir: dir, inputs, prompts: settings.prompts, answerRetries: settings.answerRetries, signal: settings.signal };
      const run: JudgeRunOptions = live
        ? { ...common, ...live, mode: 'endpoint', force: settings.force }
        : { ...common, ...(await replayOf(dir, inputs.node, settings.model)) };
      const outcome = await judgeRun(run);
      const f = outcome.file;
      ctx.log(
        `judge ${runId}: node ${f.node}, score ${f.score.toFixed(2)} (${outcome.status}${f.malformed_answers ? `, ${f.malformed_answers} malformed answer(s) retried` : ''})`,
      );
      judged.push({ run_id: runId, dir, status: outcome.status, node: f.node, score: f.score, model: f.model, file: join(dir, JUDGE_FILE) });
    } catch (error) {
      if (!(error instanceof SpeedrunError)) throw error;
      ctx.log(`judge ${runId ?? dir}: failed: ${error.message}`);
      failed.push({ run_id: runId, dir, error: error.message, fix: error.fix ?? null, exit_code: error.exitCode });
    }
  }
  return { judged, failed };
}

/** The judge model, its endpoint checked once, when the first call is due. */
function liveJudge(ctx: CliContext, settings: JudgeSettings): Promise<Pick<JudgeRunOptions, 'model' | 'client'>> {
  return liveModel(
    ctx,
    settings,
    'judge',
    (model) => `judge: model ${model.name} (${model.model} at ${model.base_url}), prompts judge/${settings.prompts.version}`,
  );
}

/** A run's latest recorded judging (of `model`, when named) as a client and the model it used; no endpoint. */
async function replayOf(dir: string, node: number, modelName: string | undefined): Promise<Pick<JudgeRunOptions, 'model' | 'client' | 'mode' | 'costOf'>> {
  const session = latestSession(await readJudgeCalls(dir), node, modelName);
  if (!session) {
    const which = modelName ? ` by ${modelName}` : '';
    // An unchanged script needs no recorded call: it is judged 0 without one.
    return {
      model: namedModel(modelName ?? 'none'),
      mode: 'replay',
      client: () =>
        Promise.reject(new UserError(`${join(dir, JUDGE_CALLS_FILE)} holds no judging of node ${node}${which}`, 'judge the run without --replay first')),
    };
  }
  const client = new JudgeReplayClient(session, join(dir, JUDGE_CALLS_FILE));
  return { model: recordedJudgeModel(session), mode: 'replay', client: () => Promise.resolve(client), costOf: (_usage, index) => client.costOf(index) };
}
