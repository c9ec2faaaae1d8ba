/**
 * A simulated model for `--executor sim` benchmarks and tests: no network, an answer after a configured latency.
 * It sits behind the real LlmAgent (prompts, budget, call records, edit application), so a simulated run
 * exercises the same agent path as a live one; only the HTTP round trip is replaced.
 *
 * Each answer is the script shown in the prompt (the parent), whole (the `whole` edit format), with one new
 * statement (so it means something new to duplicate detection and passes the integrity audit) and a
 * `# speedrun-sim:` line the simulated executor reads: mostly a speed-up or slow-down of the task's baseline,
 * now and then a crash, so scaffolds see improvements, regressions and bugs.
 */
import { createHash } from 'node:crypto';
import type { CallContext, ChatClient, ChatMessage, ChatResponse } from './chat.js';
import { abortableSleep } from './retry.js';
import { findFencedBlocks } from '../edits/fences.js';

export interface SimChatOptions {
  /** Latency of every call (ms); 0 answers on the next turn of the event loop. */
  latencyMs: number;
  /** Makes two simulated models (or seeds) answer differently; the same seed answers the same. */
  seed: string;
  /** Share of answers that crash when trained (default 0.05). */
  crashRate?: number;
}

export class SimChatClient implements ChatClient {
  private calls = 0;

  constructor(private readonly opts: SimChatOptions) {}

  async complete(messages: ChatMessage[], signal?: AbortSignal, context?: CallContext): Promise<ChatResponse> {
    const call = ++this.calls;
    await abortableSleep(this.opts.latencyMs, signal);
    const draw = uniform(`${this.opts.seed}:${context?.node ?? 0}:${context?.purpose ?? ''}:${call}`);
    const crashes = draw < (this.opts.crashRate ?? 0.05);
    // Speed-ups between 0.85 and 1.10 of the baseline: some nodes beat it, some do not.
    const speedup = (0.85 + 0.25 * uniform(`${this.opts.seed}:${call}:speedup`)).toFixed(4);
    const marker = crashes ? 'crash' : `speedup=${speedup}`;
    const parent = parentScript(messages).filter((line) => !SIM_LINE.test(line));
    while (parent.length && parent.at(-1)!.trim() === '') parent.pop();
    const script = [...parent, `# speedrun-sim: ${marker}`, `_sim_variant = ${JSON.stringify(`${this.opts.seed}:${call}`)}`, ''].join('\n');
    const content = `Simulated change ${call}.\n\n\`\`\`python\n${script}\`\`\`\n`;
    return {
      content,
      reasoning: null,
      finish_reason: 'stop',
      usage: { prompt_tokens: 1000, completion_tokens: Math.ceil(content.length / 4) },
      model: 'sim',
      latency_ms: this.opts.latencyMs,
      retries: [],
    };
  }
}

/** Lines this client added to an earlier answer: replaced, not piled up, when that answer is the parent. */
const SIM_LINE = /^(# speedrun-sim:|_sim_variant = )/;

/** The longest python block of the last user message: the parent script every proposal prompt shows. */
function parentScript(messages: ChatMessage[]): string[] {
  const last = [...messages].reverse().find((m) => m.role === 'user');
  const blocks = last ? findFencedBlocks(last.content.replace(/\r\n/g, '\n')).blocks.filter((b) => b.label === 'python' || b.label === '') : [];
  return blocks.reduce<string[]>((best, b) => (b.lines.length > best.length ? [...b.lines] : best), []);
}

function uniform(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;
}
