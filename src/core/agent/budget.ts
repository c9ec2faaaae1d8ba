import { z } from 'zod';
import type { LlmUsage } from '../store/schema.js';
import { addCall, emptyUsage } from './usage.js';

/** Limits on a run's LLM use; each is optional. Checked before every call, so one call may overshoot a limit. */
export const BudgetLimits = z.strictObject({
  max_calls: z.number().int().positive().optional(),
  max_tokens: z.number().int().positive().optional(),
  max_dollars: z.number().positive().optional(),
});
export type BudgetLimits = z.infer<typeof BudgetLimits>;

/** Thrown before a call the budget no longer allows; the run ends as `budget-exhausted` and keeps its nodes. */
export class BudgetExhaustedError extends Error {
  constructor(readonly reason: string) {
    super(`LLM budget exhausted: ${reason}`);
    this.name = 'BudgetExhaustedError';
  }
}

export class LlmBudget {
  /** cost_usd turns null once a call has no price (no price table, or a server that reported no usage). */
  private readonly used: LlmUsage = emptyUsage();

  constructor(readonly limits: BudgetLimits = {}) {}

  /** Throws BudgetExhaustedError when the next call would start beyond a limit. */
  check(): void {
    const { max_calls, max_tokens, max_dollars } = this.limits;
    const u = this.used;
    if (max_calls !== undefined && u.llm_calls >= max_calls) throw new BudgetExhaustedError(`${u.llm_calls} of ${max_calls} calls used`);
    const tokens = u.prompt_tokens + u.completion_tokens;
    if (max_tokens !== undefined && tokens >= max_tokens) throw new BudgetExhaustedError(`${tokens} of ${max_tokens} tokens used`);
    if (max_dollars !== undefined && u.cost_usd !== null && u.cost_usd >= max_dollars) {
      throw new BudgetExhaustedError(`$${u.cost_usd.toFixed(4)} of $${max_dollars} spent`);
    }
  }

  record(usage: { prompt_tokens: number; completion_tokens: number } | null, costUsd: number | null): void {
    addCall(this.used, usage, costUsd);
  }

  /** Counts use spent before this process (a resumed run) against the limits. */
  preload(usage: LlmUsage): void {
    Object.assign(this.used, usage);
  }

  totals(): LlmUsage {
    return { ...this.used };
  }
}
