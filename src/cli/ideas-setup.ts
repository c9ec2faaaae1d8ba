import { join } from 'node:path';
import type { ResolvedModel } from '../core/agent/llm/model-profile.js';
import { UserError } from '../core/errors.js';
import { readIdeasCalls } from '../core/ideas/ideas-calls.js';
import type { IdeaPrompts } from '../core/ideas/idea-prompts.js';
import { classifyRunIdeas, type DraftAsker, type DraftFailure } from '../core/ideas/ideas-run.js';
import type { LlmCallRecord } from '../core/store/call-record.js';
import { IDEAS_CALLS_FILE, IDEAS_FILE } from '../core/store/layout.js';
import { askSessions, latestAskSession, RecordedSessionClient, recordedModel } from '../core/structured-ask/replay.js';
import type { CliContext } from './context.js';
import { eachFinishedRun, runFoldersUnder } from './each-run.js';
import { chatClient, liveModel } from './live-model.js';

export interface IdeasSettings {
  prompts: IdeaPrompts;
  /** Live: the model flags; replay: the model whose recorded classifications to replay (default the latest). */
  model?: string;
  config?: string;
  baseUrl?: string;
  replay: boolean;
  force: boolean;
  k: number | null;
  answerRetries: number;
  signal: AbortSignal;
}

export interface ClassifiedRun {
  run_id: string;
  dir: string;
  drafts: number;
  classified: number;
  cached: number;
  skipped: number;
  failed: number;
  k: number | null;
  first_k: number;
  entropy_bits: number | null;
  class_counts: Record<string, number>;
  model: string;
  file: string;
}

export interface IdeasFailure {
  run_id: string | null;
  dir: string;
  /** The draft that failed; null when the whole run did (no run.json, nothing recorded). */
  node: number | null;
  error: string;
  fix: string | null;
  exit_code: number;
}

/**
 * Classifies the drafts of every finished run under the folders, one run at a time, going on after a draft or run
 * that fails (listed with its reason). The live endpoint is resolved once and checked before the first call.
 */
export async function classifyResults(
  ctx: CliContext,
  dirs: readonly string[],
  settings: IdeasSettings,
): Promise<{ runs: ClassifiedRun[]; failed: IdeasFailure[] }> {
  const folders = await runFoldersUnder(dirs);
  const live = settings.replay
    ? null
    : await liveModel(
        ctx,
        settings,
        'ideas',
        (m) => `ideas: model ${m.name} (${m.model} at ${m.base_url}), prompts ideas/${settings.prompts.version}`,
        chatClient,
      );
  const draftFailures: IdeasFailure[] = [];
  const { done, failed } = await eachFinishedRun(ctx, folders, { label: 'ideas', signal: settings.signal }, async (dir, summary) => {
    const runId = summary.run_id;
    const { model, askerFor } = live
      ? { model: live.model, askerFor: async (): Promise<DraftAsker> => ({ client: await live.client() }) }
      : await replayOf(dir, settings.model);
    const outcome = await classifyRunIdeas({
      runDir: dir,
      run: summary,
      prompts: settings.prompts,
      model,
      askerFor,
      mode: live ? 'endpoint' : 'replay',
      k: settings.k,
      answerRetries: settings.answerRetries,
      force: settings.force,
      signal: settings.signal,
    });
    const f = outcome.file;
    const entropy = f.entropy_bits === null ? 'no entropy' : `entropy ${f.entropy_bits.toFixed(2)} bits over ${f.first_k.length} drafts`;
    ctx.log(`ideas ${runId}: ${f.nodes.length} of ${f.drafts} drafts classified (${outcome.cached} cached, ${f.skipped.length} skipped), ${entropy}`);
    for (const failure of outcome.failures) draftFailures.push(draftFailure(runId, dir, failure));
    return {
      run_id: runId,
      dir,
      drafts: f.drafts,
      classified: f.nodes.length,
      cached: outcome.cached,
      skipped: f.skipped.length,
      failed: f.failed.length,
      k: f.k,
      first_k: f.first_k.length,
      entropy_bits: f.entropy_bits,
      class_counts: f.class_counts,
      model: f.model,
      file: join(dir, IDEAS_FILE),
    };
  });
  // A run that failed as a whole has no node; failed drafts of runs that were classified keep theirs.
  return { runs: done, failed: [...failed.map((run) => ({ ...run, node: null })), ...draftFailures] };
}

function draftFailure(runId: string, dir: string, f: DraftFailure): IdeasFailure {
  return { run_id: runId, dir, node: f.node, error: f.error, fix: f.fix, exit_code: f.exitCode };
}

/**
 * A run's recorded classifications as one client per draft (its latest exchange, of `modelName` or else of the model
 * of the latest exchange in the file); no endpoint.
 */
async function replayOf(dir: string, modelName: string | undefined): Promise<{ model: ResolvedModel; askerFor: (node: number) => Promise<DraftAsker> }> {
  const calls: LlmCallRecord[] = await readIdeasCalls(dir);
  const file = join(dir, IDEAS_CALLS_FILE);
  const latest = askSessions(calls, 'ideas')
    .filter((s) => modelName === undefined || s[0]!.model === modelName)
    .at(-1);
  if (!latest) {
    // Nothing to rebuild from: the run fails as a whole, and no ideas.json is written.
    throw new UserError(`${file} holds no classification${modelName ? ` by ${modelName}` : ''}`, 'classify the run without --replay first');
  }
  const model = recordedModel(latest);
  return {
    model,
    askerFor: async (node) => {
      const session = latestAskSession(calls, 'ideas', node, model.name);
      if (!session) {
        throw new UserError(`${file} holds no classification of node ${node}${modelName ? ` by ${modelName}` : ''}`, 'classify the run without --replay first');
      }
      const client = new RecordedSessionClient(session, file, 'ideas', {
        ended: 'classify the run again without --replay',
        differs: 'replay with the --prompt-version the classification used, or classify the run again without --replay',
      });
      return { client, costOf: (_usage, index) => client.costOf(index) };
    },
  };
}
