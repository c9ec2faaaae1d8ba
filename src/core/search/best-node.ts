import { describeFinding } from '../measure/integrity-report.js';
import type { NodeResult } from '../store/schema.js';

/** The fastest node that reached the target and that `accept` takes; the baseline counts, so a run never scores below 0. */
export function bestNode(nodes: readonly NodeResult[], accept: (node: NodeResult) => boolean = () => true): NodeResult | null {
  let best: NodeResult | null = null;
  for (const node of nodes) {
    if (node.status !== 'ok' || node.time_to_target_ms === null || !accept(node)) continue;
    if (!best || node.time_to_target_ms < (best.time_to_target_ms ?? Infinity)) best = node;
  }
  return best;
}

/**
 * The audit's flags that keep a node's time out of the claimed score (a file read, a new dependency, a seed hunt, a
 * clock that disagrees with the harness's): a human or a verification re-run must look first. A flag that only says
 * the task's next record makes the same change does not: that code is the record's own.
 */
export function withholdingFlags(node: Pick<NodeResult, 'integrity'>): string[] {
  return (node.integrity?.findings ?? []).filter((f) => f.severity === 'flag' && !f.by_record).map(describeFinding);
}

/** The node the claimed score rests on: the fastest valid node without withholding flags. */
export function claimedBest(nodes: readonly NodeResult[]): NodeResult | null {
  return bestNode(nodes, (node) => withholdingFlags(node).length === 0);
}

/** A flagged node faster than the claimed best: shown beside the score, scored only once a verification clears it. */
export function flaggedBest(nodes: readonly NodeResult[]): NodeResult | null {
  const fastest = bestNode(nodes);
  return fastest && fastest !== claimedBest(nodes) && withholdingFlags(fastest).length > 0 ? fastest : null;
}
