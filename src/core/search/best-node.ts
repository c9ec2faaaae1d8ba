import type { NodeResult } from '../store/schema.js';

/** The fastest node that reached the target; the baseline counts, so a run never scores below 0. */
export function bestNode(nodes: readonly NodeResult[]): NodeResult | null {
  let best: NodeResult | null = null;
  for (const node of nodes) {
    if (node.status !== 'ok' || node.time_to_target_ms === null) continue;
    if (!best || node.time_to_target_ms < (best.time_to_target_ms ?? Infinity)) best = node;
  }
  return best;
}
