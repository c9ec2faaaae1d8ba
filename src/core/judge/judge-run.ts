import type { ChatClient, ChatUsage } from '../agent/llm/chat.js';
import { callCost } from '../agent/llm/cost.js';
import type { ResolvedModel } from '../agent/llm/model-profile.js';
import { ExternalError } from '../errors.js';
import { askUntilUsable } from '../structured-ask/ask.js';
import { DamagedRunError } from '../store/damaged-run.js';
import { appendJudgeCall } from '../store/judge-calls.js';
import { readJudgeFile, writeJudgeFile, type JudgeAnswer, type JudgeFile } from '../store/judge-file.js';
import { readJudgeAnswer } from './judge-answer.js';
import type { JudgeInputs } from './judge-inputs.js';
import type { JudgePrompts } from './judge-prompts.js';

/** How many times an unusable verdict goes back to the model with the reason (the answers are then 1 + this). */
export const JUDGE_ANSWER_RETRIES = 2;

export interface JudgeRunOptions {
  runDir: string;
  inputs: JudgeInputs;
  prompts: JudgePrompts;
  model: ResolvedModel;
  /** The client, asked for only when a call is needed: a cached or unchanged run never reaches the endpoint. */
  client: () => Promise<ChatClient>;
  /** endpoint: calls are made and appended to judge-calls.jsonl; replay: they are served from it, nothing is appended. */
  mode: 'endpoint' | 'replay';
  answerRetries?: number;
  /** Judge again even when judge.json already holds this verdict. */
  force?: boolean;
  /** A call's cost; default the profile's prices (a replay passes the recorded costs). */
  costOf?: (usage: ChatUsage | null, callIndex: number) => number | null;
  now?: () => Date;
  signal?: AbortSignal;
}

export interface JudgeOutcome {
  /** judged: the model answered now; cached: judge.json already held it; replayed; no-change: nothing to judge. */
  status: 'judged' | 'cached' | 'replayed' | 'no-change';
  file: JudgeFile;
}

/** The model answered, but never with a usable verdict. */
export class JudgeAnswerError extends ExternalError {
  constructor(answers: number, problem: string) {
    super(
      'LLM judge',
      `no usable verdict in ${answers} answer${answers === 1 ? '' : 's'}; the last problem: ${problem}`,
      'judge with another model, or raise --answer-retries',
    );
  }
}

/**
 * Judges one run's best node: reuses judge.json when it holds this very verdict (same diffs, model and prompt),
 * scores an unchanged script 0 without a call, and otherwise asks the model, giving an unusable answer back with the
 * reason up to `answerRetries` times (structured-ask/ask.ts). Every call is recorded before its answer is read;
 * judge.json is written only for a usable verdict. Endpoint failures (LlmCallError, after the client's own retries) propagate.
 */
export async function judgeRun(opts: JudgeRunOptions): Promise<JudgeOutcome> {
  const { inputs, prompts, model } = opts;
  const now = opts.now ?? (() => new Date());
  const base = {
    version: 1 as const,
    run_id: inputs.runId,
    track: inputs.track,
    record: inputs.record,
    node: inputs.node,
    model: model.name,
    model_id: model.model,
    prompt_version: prompts.version,
    prompt_sha256: prompts.sha256,
    node_diff_sha256: inputs.nodeDiffSha256,
    true_diff_sha256: inputs.trueDiffSha256,
    level0_diff_sha256: inputs.level0DiffSha256,
  };
  if (opts.mode === 'endpoint' && !opts.force) {
    const existing = await readJudgeFile(opts.runDir).catch((error) => {
      if (error instanceof DamagedRunError) return null; // judged again and replaced
      throw error;
    });
    if (existing && sameVerdictKey(existing, base)) return { status: 'cached', file: existing };
  }
  if (inputs.nodeDiff === '') {
    const file: JudgeFile = {
      ...base,
      score: 0,
      implemented: [],
      other_changes: [],
      reasons: `node ${inputs.node}'s script is record ${inputs.record}'s own: nothing of record ${inputs.nextRecord}'s change was reproduced (no model was asked)`,
      source: 'no-change',
      calls: 0,
      malformed_answers: 0,
      usage: { prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 },
      judged_at: now().toISOString(),
    };
    await writeJudgeFile(opts.runDir, file);
    return { status: 'no-change', file };
  }

  const client = await opts.client();
  const costOf = opts.costOf ?? ((usage) => callCost(usage, model.prices));
  const asked = await askUntilUsable({
    client,
    messages: prompts.messages(inputs),
    read: readJudgeAnswer,
    feedback: prompts.feedback,
    answerRetries: opts.answerRetries ?? JUDGE_ANSWER_RETRIES,
    purposes: { first: 'judge', retry: 'judge-retry' },
    node: inputs.node,
    model,
    record: opts.mode === 'endpoint' ? (call) => appendJudgeCall(opts.runDir, call) : null,
    costOf,
    now,
    signal: opts.signal,
  });
  if (!asked.ok) throw new JudgeAnswerError(asked.answers, asked.problem);
  const file = verdictFile(base, asked.answer, opts.mode, asked.malformed, asked.usage, now());
  await writeJudgeFile(opts.runDir, file);
  return { status: opts.mode === 'replay' ? 'replayed' : 'judged', file };
}

type VerdictKey = Pick<JudgeFile, 'node' | 'model' | 'prompt_version' | 'prompt_sha256' | 'node_diff_sha256' | 'true_diff_sha256' | 'level0_diff_sha256'>;

function sameVerdictKey(file: JudgeFile, key: VerdictKey): boolean {
  return (Object.keys(key) as Array<keyof VerdictKey>).every((k) => file[k] === key[k]);
}

function verdictFile(
  base: Omit<JudgeFile, keyof JudgeAnswer | 'source' | 'calls' | 'malformed_answers' | 'usage' | 'judged_at'>,
  answer: JudgeAnswer,
  mode: JudgeRunOptions['mode'],
  index: number,
  usage: JudgeFile['usage'],
  at: Date,
): JudgeFile {
  return {
    ...base,
    ...answer,
    source: mode,
    calls: index + 1,
    malformed_answers: index,
    usage: { ...usage },
    judged_at: at.toISOString(),
  };
}
