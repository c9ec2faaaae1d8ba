import type { Agent, AgentDescription, AnalyzeInput, CallStreamListener, ProposeInput, Proposal } from './agent.js';
import type { LlmUsage } from '../store/schema.js';
import { BudgetExhaustedError, type LlmBudget } from './budget.js';
import type { EditFormat } from './edits/edit-format.js';
import type { LlmCallRecord } from '../store/call-record.js';
import { StreamRecorder } from '../store/call-stream.js';
import { LlmCallError, type ChatClient, type ChatMessage, type ChatResponse, type StreamEvent } from './llm/chat.js';
import { callCost } from './llm/cost.js';
import type { ResolvedModel } from './llm/model-profile.js';
import { noteFromAnswer, proposalMessages } from './prompt-builder.js';
import type { PromptSet } from './prompts.js';

export interface LlmAgentOptions {
  /** `llm` for a live endpoint, `replay` for a recorded transcript. */
  name: 'llm' | 'replay';
  client: ChatClient;
  model: ResolvedModel;
  editFormat: EditFormat;
  prompts: PromptSet;
  budget: LlmBudget;
  now?: () => Date;
}

type CallOutcome = { ok: true; response: ChatResponse } | { ok: false; error: LlmCallError };

/**
 * The LLM coder: one prompt per node (draft / improve / debug), the answer applied as an edit; an edit that does not
 * apply goes back to the model with the reason, a bounded number of times. Every call is reported through onCall.
 */
export class LlmAgent implements Agent {
  readonly name: 'llm' | 'replay';

  constructor(private readonly opts: LlmAgentOptions) {
    this.name = opts.name;
  }

  describe(): AgentDescription {
    const m = this.opts.model;
    return {
      name: this.name,
      model: m.name,
      model_id: m.model,
      base_url: m.base_url,
      api_key_env: m.api_key_env,
      temperature: m.temperature ?? null,
      max_tokens: m.max_tokens ?? null,
      reasoning_effort: m.reasoning_effort ?? null,
      extra_body: m.extra_body,
      // Header values can be credentials; only their names are recorded.
      extra_header_names: Object.keys(m.extra_headers),
      edit_format: this.opts.editFormat.name,
      edit_retries: m.edit_retries,
      summarize_logs: m.summarize_logs,
      stream: m.stream,
      prices: m.prices ?? null,
      prompt_version: this.opts.prompts.version,
      prompts_sha256: this.opts.prompts.sha256,
    };
  }

  /** Throws BudgetExhaustedError when no further call is allowed, so a run can stop before starting a node. */
  checkBudget(): void {
    this.opts.budget.check();
  }

  restoreUsage(usage: LlmUsage): void {
    this.opts.budget.preload(usage);
  }

  async propose(input: ProposeInput): Promise<Proposal> {
    const { editFormat, model, prompts } = this.opts;
    const messages = proposalMessages(prompts, editFormat.name, input);
    let lastProblem = '';
    for (let attempt = 0; attempt <= model.edit_retries; attempt++) {
      let outcome: CallOutcome;
      try {
        outcome = await this.call(input.node, attempt === 0 ? 'propose' : 'edit-retry', messages, input);
      } catch (error) {
        if (!(error instanceof BudgetExhaustedError) || attempt === 0) throw error;
        // Out of budget between edit retries: the node ends without a script and the run ends after it.
        return { ok: false, status: 'edit-failed', message: `${lastProblem} (no retry left: ${error.message})` };
      }
      if (!outcome.ok) return { ok: false, status: 'agent-error', message: outcome.error.message };
      const answer = outcome.response.content;
      const applied =
        outcome.response.finish_reason === 'length'
          ? {
              ok: false as const,
              message: 'Your answer was cut off at the token limit before the edit was complete. Give a shorter answer: smaller edits, less explanation.',
            }
          : editFormat.apply(input.parentScript, answer);
      if (applied.ok) return { ok: true, script: applied.script, note: noteFromAnswer(answer) };
      lastProblem = applied.message;
      messages.push({ role: 'assistant', content: answer }, { role: 'user', content: prompts.render('edit-feedback', { message: applied.message }) });
    }
    return { ok: false, status: 'edit-failed', message: `no applicable edit after ${model.edit_retries + 1} answers; the last problem: ${lastProblem}` };
  }

  async analyze(input: AnalyzeInput): Promise<string | null> {
    if (!this.opts.model.summarize_logs) return null;
    const content = this.opts.prompts.render('summarize-log', {
      node: input.node,
      outcome: input.outcome,
      log_tail: (await input.logTail()).trimEnd() || '(no output)',
    });
    try {
      const outcome = await this.call(input.node, 'summarize', [{ role: 'user', content }], input);
      return outcome.ok ? outcome.response.content.trim() || null : null;
    } catch (error) {
      // The analysis is optional: without budget the run simply goes on without it.
      if (error instanceof BudgetExhaustedError) return null;
      throw error;
    }
  }

  /** One chat call under the budget, recorded whatever happens. Aborts and budget exhaustion propagate. */
  private async call(
    node: number,
    purpose: LlmCallRecord['purpose'],
    messages: ChatMessage[],
    ctx: { onCall?: (call: LlmCallRecord) => void; onStream?: CallStreamListener; signal?: AbortSignal },
  ): Promise<CallOutcome> {
    const { budget, client, model } = this.opts;
    budget.check();
    const at = (this.opts.now ?? (() => new Date()))().toISOString();
    const sent = messages.map((m) => ({ ...m }));
    const started = Date.now();
    let outcome: CallOutcome;
    // Every streamed call is recorded as it arrived (for replay in `speedrun view`), whether or not anyone watches live.
    const recorder = new StreamRecorder();
    const onStream = (event: StreamEvent) => {
      if (event.kind === 'restart') recorder.restart();
      else recorder.add(event.part, event.text);
      ctx.onStream?.(event, purpose);
    };
    try {
      outcome = { ok: true, response: await client.complete(sent, ctx.signal, { node, purpose, onStream }) };
    } catch (error) {
      if (!(error instanceof LlmCallError)) throw error;
      outcome = { ok: false, error };
    }
    const usage = outcome.ok ? outcome.response.usage : null;
    const cost = outcome.ok ? callCost(usage, model.prices) : model.prices ? 0 : null;
    budget.record(usage, cost);
    ctx.onCall?.({
      node,
      purpose,
      at,
      model: model.name,
      request: { messages: sent, params: requestParams(model) },
      response: outcome.ok
        ? {
            content: outcome.response.content,
            reasoning: outcome.response.reasoning,
            finish_reason: outcome.response.finish_reason,
            model: outcome.response.model,
          }
        : null,
      error: outcome.ok ? null : { kind: outcome.error.kind, status: outcome.error.status, message: outcome.error.detail },
      usage,
      latency_ms: outcome.ok ? outcome.response.latency_ms : Date.now() - started,
      retries: outcome.ok ? outcome.response.retries : outcome.error.retries,
      cost_usd: cost,
      ...streamField(outcome.ok ? recorder.pieces() : undefined),
    });
    return outcome;
  }
}

function streamField(pieces: LlmCallRecord['stream']): Pick<LlmCallRecord, 'stream'> {
  return pieces ? { stream: pieces } : {};
}

/** The sampling parameters as sent, for the transcript (the judge's calls record theirs the same way). */
export function requestParams(model: ResolvedModel): Record<string, unknown> {
  const params: Record<string, unknown> = { model: model.model };
  if (model.temperature !== undefined) params.temperature = model.temperature;
  if (model.max_tokens !== undefined) params[model.max_tokens_field] = model.max_tokens;
  if (model.reasoning_effort !== undefined) params.reasoning_effort = model.reasoning_effort;
  return { ...params, ...model.extra_body };
}
