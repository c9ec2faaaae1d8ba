/**
 * One agent request through the proxy, from arrival to its transcript record: the signal that stops the upstream call
 * (the run cancelled it, the agent hung up, or timeout_s passed), live pieces for the TUI, and exactly one
 * LlmCallRecord with tokens and cost, counted against the run's budget.
 */
import type { ServerResponse } from 'node:http';
import type { CallStreamListener, ProposeInput } from '../agent.js';
import type { LlmBudget } from '../budget.js';
import { callCost } from '../llm/cost.js';
import type { ResolvedModel } from '../llm/model-profile.js';
import type { LlmCallRecord } from '../../store/call-record.js';
import { StreamRecorder } from '../../store/call-stream.js';
import type { ChatAnswer } from './chat-answer.js';
import type { Fetch, StopReason, UpstreamCall, UpstreamFailure } from './upstream.js';

/** Where the calls of the node being written go. */
export interface ProxySink {
  node: number;
  onCall?: (call: LlmCallRecord) => void;
  onStream?: CallStreamListener;
  signal?: AbortSignal;
  /** Trains a script as an experiment of the node being written (POST /v1/speedrun/train). */
  experiment?: ProposeInput['experiment'];
}

export interface ProxyCallOptions {
  model: ResolvedModel;
  apiKey: string | null;
  fetch: Fetch;
  budget: LlmBudget;
  sink: ProxySink;
  /** The agent's response: its closing before the answer is done stops the upstream call. */
  res: ServerResponse;
}

export type CallOutcome = { answer: ChatAnswer } | { failure: UpstreamFailure };

export class ProxyCall implements UpstreamCall {
  readonly model: ResolvedModel;
  readonly apiKey: string | null;
  readonly fetch: Fetch;
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private reason: StopReason | null = null;
  private readonly at = new Date().toISOString();
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;
  private readonly release: () => void;
  private finished = false;
  /** The answer as it streamed to the agent, kept in the record for replay. */
  private readonly stream = new StreamRecorder();

  constructor(private readonly opts: ProxyCallOptions) {
    this.model = opts.model;
    this.apiKey = opts.apiKey;
    this.fetch = opts.fetch;
    this.signal = this.controller.signal;
    const cancel = (): void => this.stop('cancelled');
    const hangUp = (): void => {
      if (!opts.res.writableFinished) this.stop('agent-closed');
    };
    opts.sink.signal?.addEventListener('abort', cancel, { once: true });
    opts.res.on('close', hangUp);
    this.timer = setTimeout(() => this.stop('timeout'), Math.ceil(opts.model.timeout_s * 1000));
    // The timer only bounds this call; it must not keep a finishing process alive.
    this.timer.unref();
    this.release = () => {
      clearTimeout(this.timer);
      opts.sink.signal?.removeEventListener('abort', cancel);
      opts.res.off('close', hangUp);
    };
    if (opts.sink.signal?.aborted) this.stop('cancelled');
  }

  stopReason(): StopReason | null {
    return this.reason;
  }

  /** A piece of the answer as it streams: shown live and recorded with its time. */
  delta(part: 'content' | 'reasoning', text: string): void {
    this.stream.add(part, text);
    this.tell(part, text);
  }

  /** A piece of a function call's arguments as it streams (recorded; the live view shows text only). */
  toolDelta(index: number, text: string): void {
    this.stream.add('tool', text, index);
  }

  /** An answer that came whole: shown live, with no stream to record. */
  whole(text: string): void {
    this.tell('content', text);
  }

  private tell(part: 'content' | 'reasoning', text: string): void {
    if (text) this.opts.sink.onStream?.({ kind: 'delta', part, text }, 'agent');
  }

  /** Records the call (once) under the node that was attached when it arrived, and counts it against the budget. */
  finish(api: 'chat' | 'responses', request: LlmCallRecord['request'], outcome: CallOutcome): void {
    if (this.finished) return;
    this.finished = true;
    this.release();
    const answer = 'answer' in outcome ? outcome.answer : null;
    const failure = 'failure' in outcome ? outcome.failure : null;
    const usage = answer?.usage ?? null;
    const prices = this.model.prices;
    const cost = answer ? callCost(usage, prices) : prices ? 0 : null;
    this.opts.budget.record(usage, cost);
    const toolCalls = answer?.toolCalls() ?? [];
    this.opts.sink.onCall?.({
      node: this.opts.sink.node,
      purpose: 'agent',
      at: this.at,
      model: this.model.name,
      api,
      request,
      response: answer && {
        content: answer.content,
        reasoning: answer.reasoning,
        finish_reason: answer.finishReason,
        model: answer.model,
        ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
      },
      error: failure && { kind: failure.kind, status: failure.status, message: failure.message },
      usage,
      latency_ms: Date.now() - this.started,
      retries: [],
      cost_usd: cost,
      ...(answer && this.streamField()),
    });
  }

  private streamField(): Pick<LlmCallRecord, 'stream'> {
    const pieces = this.stream.pieces();
    return pieces ? { stream: pieces } : {};
  }

  private stop(reason: StopReason): void {
    if (this.signal.aborted) return;
    this.reason = reason;
    this.controller.abort();
  }
}
