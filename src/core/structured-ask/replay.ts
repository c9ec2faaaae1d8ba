import { UserError } from '../errors.js';
import { LlmCallError, type ChatClient, type ChatMessage, type ChatResponse, type LlmFailureKind } from '../agent/llm/chat.js';
import { ModelProfile, type ResolvedModel } from '../agent/llm/model-profile.js';
import type { LlmCallRecord } from '../store/call-record.js';

/**
 * Replaying recorded exchanges (askUntilUsable's) without an endpoint. A calls file holds every exchange ever made,
 * oldest first: each starts with a call of the first purpose, the retries after it.
 */

export function askSessions(calls: readonly LlmCallRecord[], first: LlmCallRecord['purpose']): LlmCallRecord[][] {
  const sessions: LlmCallRecord[][] = [];
  for (const call of calls) {
    if (call.purpose === first || sessions.length === 0) sessions.push([call]);
    else sessions[sessions.length - 1]!.push(call);
  }
  return sessions;
}

/** The latest recorded exchange about `node` (by `model`, when named), or null when there is none. */
export function latestAskSession(calls: readonly LlmCallRecord[], first: LlmCallRecord['purpose'], node: number, model?: string): LlmCallRecord[] | null {
  const matching = askSessions(calls, first).filter((s) => s[0]!.node === node && (model === undefined || s[0]!.model === model));
  return matching[matching.length - 1] ?? null;
}

/** The model a recorded exchange used, as far as the records say (its name and the id sent); no endpoint, no key. */
export function recordedModel(session: readonly LlmCallRecord[]): ResolvedModel {
  const first = session[0]!;
  return namedModel(first.model, typeof first.request.params.model === 'string' ? first.request.params.model : first.model);
}

/** A model known only by its name (and the id sent): what a replay records. */
export function namedModel(name: string, id: string = name): ResolvedModel {
  return { ...ModelProfile.parse({ api_key_env: null, model: id }), name, model: id };
}

/**
 * Answers an exchange from its recorded calls, in order. Each request must be the one recorded: a replay that would
 * send other messages (another prompt version, changed diffs) would rebuild an answer the recorded ones were never
 * about, so it is refused.
 */
export class RecordedSessionClient implements ChatClient {
  private served = 0;

  constructor(
    private readonly session: readonly LlmCallRecord[],
    /** The calls file, named in errors. */
    private readonly source: string,
    /** What the calls are, in errors: "judge", "ideas". */
    private readonly what: string,
    /** The fixes: for a session that ended early, and for a request that differs from the recorded one. */
    private readonly fixes: { ended: string; differs: string },
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
        `${this.source} has no recorded ${this.what} call ${index + 1} (the recorded exchange ended after ${this.session.length})`,
        this.fixes.ended,
      );
    }
    if (!sameMessages(record.request.messages, messages)) {
      throw new UserError(
        `${this.source}: recorded ${this.what} call ${index + 1} was asked with other messages than this replay would send (another prompt version, or the run's diffs changed)`,
        this.fixes.differs,
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
