import type { LlmUsage } from '../store/schema.js';

export function emptyUsage(): LlmUsage {
  return { llm_calls: 0, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 };
}

/** Adds one call. The cost turns null for good once a call has no price: a partial sum would understate it. */
export function addCall(usage: LlmUsage, tokens: { prompt_tokens: number; completion_tokens: number } | null, costUsd: number | null): void {
  usage.llm_calls++;
  usage.prompt_tokens += tokens?.prompt_tokens ?? 0;
  usage.completion_tokens += tokens?.completion_tokens ?? 0;
  usage.cost_usd = usage.cost_usd === null || costUsd === null ? null : usage.cost_usd + costUsd;
}

export function sumUsage(list: ReadonlyArray<LlmUsage | null>): LlmUsage {
  const total = emptyUsage();
  for (const u of list) {
    if (!u) continue;
    total.llm_calls += u.llm_calls;
    total.prompt_tokens += u.prompt_tokens;
    total.completion_tokens += u.completion_tokens;
    total.cost_usd = total.cost_usd === null || u.cost_usd === null ? null : total.cost_usd + u.cost_usd;
  }
  return total;
}
