import type { ChatClient } from '../agent/llm/chat.js';
import { callCost } from '../agent/llm/cost.js';
import type { ResolvedModel } from '../agent/llm/model-profile.js';
import { hintCallsFile, writeDraftHint, type GeneratedHint, type GeneratedLevel } from '../catalog/generated-hints.js';
import { ExternalError } from '../errors.js';
import type { CacheLayout } from '../paths.js';
import { appendCallRecord } from '../store/calls-file.js';
import { askUntilUsable } from '../structured-ask/ask.js';
import { readHintAnswer } from './hint-answer.js';
import type { HintInputs } from './hint-inputs.js';
import type { HintPrompts } from './hint-prompts.js';

/** How many times an unusable hint goes back to the model with the reason (the answers are then 1 + this). */
export const HINT_ANSWER_RETRIES = 2;

export interface GenerateHintOptions {
  cache: CacheLayout;
  inputs: HintInputs;
  level: GeneratedLevel;
  prompts: HintPrompts;
  model: ResolvedModel;
  client: ChatClient;
  answerRetries?: number;
  now?: () => Date;
  signal?: AbortSignal;
}

/** The model answered, but never with a usable hint. */
export class HintAnswerError extends ExternalError {
  constructor(
    readonly level: GeneratedLevel,
    answers: number,
    readonly problem: string,
  ) {
    super(
      'LLM hint writer',
      `no usable L${level} hint in ${answers} answer${answers === 1 ? '' : 's'}; the last problem: ${problem}`,
      'generate with another model, or raise --answer-retries',
    );
  }
}

/**
 * Writes one level's draft: asks the model, giving an unusable answer back with the reason up to `answerRetries`
 * times (structured-ask/ask.ts), and writes the draft only for a usable one, so a failure leaves no file but the
 * recorded calls. Every call is appended to the record's calls.jsonl before its answer is read. Endpoint failures
 * (LlmCallError, after the client's own retries) propagate.
 */
export async function generateHint(opts: GenerateHintOptions): Promise<GeneratedHint> {
  const { inputs, level, model, prompts } = opts;
  const now = opts.now ?? (() => new Date());
  const asked = await askUntilUsable({
    client: opts.client,
    messages: prompts.messages(inputs, level),
    read: readHintAnswer(level),
    feedback: prompts.feedback,
    answerRetries: opts.answerRetries ?? HINT_ANSWER_RETRIES,
    purposes: { first: 'hint', retry: 'hint-retry' },
    // Calls are kept per record, not per node: 0 stands for the record's own script.
    node: 0,
    model,
    record: (call) => appendCallRecord(hintCallsFile(opts.cache, inputs.track, inputs.record), call),
    costOf: (usage) => callCost(usage, model.prices),
    now,
    signal: opts.signal,
  });
  if (!asked.ok) throw new HintAnswerError(level, asked.answers, asked.problem);
  return writeDraftHint(
    opts.cache,
    {
      version: 1,
      track: inputs.track,
      record: inputs.record,
      next_record: inputs.nextRecord,
      level,
      model: model.name,
      model_id: model.model,
      prompt_version: prompts.version,
      prompt_sha256: prompts.sha256,
      diff_sha256: inputs.diffSha256,
      description: inputs.description,
      created_at: now().toISOString(),
      calls: asked.calls,
      malformed_answers: asked.malformed,
      usage: { ...asked.usage },
    },
    asked.answer,
  );
}
