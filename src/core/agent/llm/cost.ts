import type { ChatUsage } from './chat.js';
import type { Prices } from './model-profile.js';

/** Dollars one call cost; null when the server reported no usage or the profile has no prices. */
export function callCost(usage: ChatUsage | null, prices?: Prices): number | null {
  if (usage === null || prices === undefined) return null;
  return (usage.prompt_tokens * prices.input_per_million + usage.completion_tokens * prices.output_per_million) / 1_000_000;
}
