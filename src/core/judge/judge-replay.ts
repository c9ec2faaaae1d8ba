import { UserError } from '../errors.js';
import { LlmCallError, type ChatClient, type ChatMessage, type ChatResponse, type LlmFailureKind } from '../agent/llm/chat.js';
import { ModelProfile, type ResolvedModel } from '../agent/llm/model-profile.js';
import type { LlmCallRecord } from '../store/call-record.js';

/**
 * One judging as recorded in judge-calls.jsonl: a `judge` call and the `judge-retry` calls after it (each after an
 * answer that could not be used). A file holds every judging ever made for the run, oldest first.
 */
export function judgeSessions(calls: readonly LlmCallRecord[]): LlmCallRecord[][] {
  const sessions: LlmCallRecord[][] = [];
  for (const call of calls) {
    if (call.purpose === 'judge' || sessions.length === 0) sessions.push([call]);
    else sessions[sessions.length - 1]!.push(call);
  }
  return sessions;
}

/** The latest recorded judging of `node` (by `model`, when named), or null when there is none. */
export function latestSession(calls: readonly LlmCallRecord[], node: number, model?: string): LlmCallRecord[] | null {
  const matching = judgeSessions(calls).filter((s) => s[0]!.node === node && (model === undefined || s[0]!.model === model));
  return matching[matching.length - 1] ?? null;
}

/** The model a recorded judging used, as far as the records say (its name and the id sent); no endpoint, no key. */
export function recordedJudgeModel(session: readonly LlmCallRecord[]): ResolvedModel {
  const first = session[0]!;
  return namedModel(first.model, typeof first.request.params.model === 'string' ? first.request.params.model : first.model);
}

/** A model known only by its name (and the id sent): what a replay records in judge.json. */
export function namedModel(name: string, id: string = name): ResolvedModel {
  return { ...ModelProfile.parse({ api_key_env: null, model: id }), name, model: id };
}

/**
 * Answers a judging from its recorded calls, in order, without an endpoint. Each request must be the one recorded:
 * a replay that would send other messages (another prompt version, a run whose diffs changed) would rebuild a
 * verdict the recorded answers were never about, so it is refused.
 */
export class JudgeReplayClient implements ChatClient {
  private served = 0;

  constructor(
    private readonly session: readonly LlmCallRecord[],
    private readonly source: string,
  ) {}

  /** The cost recorded for the i-th call served (0-based). */
  costOf(index: number): number | null {
    return this.session[index]?.cost_usd ?? null;
  }

  async complete(messages: ChatMessage[], signal?: AbortSignal): Promise<ChatResponse> {
    signal?.throwIfAborted();
    const index = this.served++;
    const record = this.session[index];
    if (!record) {
      throw new UserError(
        `${this.source} has no recorded judge call ${index + 1} (the recorded judging ended after ${this.session.length})`,
        'judge the run again without --replay',
      );
    }
    if (!sameMessages(record.request.messages, messages)) {
      throw new UserError(
        `${this.source}: recorded judge call ${index + 1} was asked with other messages than this replay would send (another prompt version, or the run's diffs changed)`,
        'replay with the --prompt-version the judging used, or judge the run again without --replay',
      );
    }
    if (!record.response) {
      const error = record.error ?? { kind: 'bad-response', status: null, message: 'recorded call has neither a response nor an error' };
      throw new LlmCallError(error.kind as LlmFailureKind, error.message, error.status, record.retries);
    }
    return {
      content: record.response.content,
      reasoning: record.response.reasoning,
      finish_reason: record.response.finish_reason,
      model: record.response.model,
      usage: record.usage,
      latency_ms: record.latency_ms,
      retries: record.retries,
    };
  }
}

function sameMessages(recorded: LlmCallRecord['request']['messages'], sent: ChatMessage[]): boolean {
  return recorded.length === sent.length && recorded.every((m, i) => m.role === sent[i]!.role && m.content === sent[i]!.content);
}
