import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { loadJudgeInputs } from '../core/judge/judge-inputs.js';
import type { JudgePrompts } from '../core/judge/judge-prompts.js';
import { JudgeReplayClient, latestSession, namedModel, recordedJudgeModel } from '../core/judge/judge-replay.js';
import { judgeRun, type JudgeOutcome, type JudgeRunOptions } from '../core/judge/judge-run.js';
import { readJudgeCalls } from '../core/store/judge-calls.js';
import { JUDGE_CALLS_FILE, JUDGE_FILE } from '../core/store/layout.js';
import type { CliContext } from './context.js';
import { eachFinishedRun, runFoldersUnder, type FailedRun } from './each-run.js';
import { chatClient, liveModel } from './live-model.js';

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

export type { FailedRun } from './each-run.js';

/**
 * Judges every finished run under the folders, one at a time, going on after a run that fails (listed with its
 * reason). The live endpoint is resolved and checked once, before the first call any run needs.
 */
export async function judgeResults(ctx: CliContext, dirs: readonly string[], settings: JudgeSettings): Promise<{ judged: JudgedRun[]; failed: FailedRun[] }> {
  const folders = await runFoldersUnder(dirs);
  const live = settings.replay ? null : await liveJudge(ctx, settings);
  const { done, failed } = await eachFinishedRun(ctx, folders, { label: 'judge', signal: settings.signal }, async (dir, summary) => {
    const runId = summary.run_id;
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
    return { run_id: runId, dir, status: outcome.status, node: f.node, score: f.score, model: f.model, file: join(dir, JUDGE_FILE) };
  });
  return { judged: done, failed };
}

/** The judge model, its endpoint checked once, when the first call is due. */
function liveJudge(ctx: CliContext, settings: JudgeSettings): Promise<Pick<JudgeRunOptions, 'model' | 'client'>> {
  return liveModel(
    ctx,
    settings,
    'judge',
    (model) => `judge: model ${model.name} (${model.model} at ${model.base_url}), prompts judge/${settings.prompts.version}`,
    chatClient,
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
