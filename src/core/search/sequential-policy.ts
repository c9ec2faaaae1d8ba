import type { Operator } from '../agent/agent.js';
import type { NodeResult, NodeStatus } from '../store/schema.js';
import { bestNode } from './best-node.js';

/** How many debug attempts in a row a failing line of nodes gets before the search returns to the best node. */
export const MAX_DEBUG_DEPTH = 3;

/** Buggy nodes that have a script to fix (edit-failed and agent-error nodes have none). */
const DEBUGGABLE: readonly NodeStatus[] = ['crashed', 'timeout', 'no-metric'];

/**
 * The interim search policy until the scaffolds arrive: the first agent node drafts from the baseline; after that,
 * a node that crashed, timed out or printed no metric is debugged (up to MAX_DEBUG_DEPTH in a row), otherwise the
 * best valid node so far is improved.
 */
export function nextStep(nodes: readonly NodeResult[]): { operator: Operator; parent: number } {
  const last = nodes.at(-1);
  if (!last || last.operator === 'baseline') return { operator: 'draft', parent: 0 };
  if (DEBUGGABLE.includes(last.status) && debugDepth(nodes, last) < MAX_DEBUG_DEPTH) {
    return { operator: 'debug', parent: last.node };
  }
  return { operator: 'improve', parent: bestNode(nodes)?.node ?? 0 };
}

function debugDepth(nodes: readonly NodeResult[], node: NodeResult): number {
  let depth = 0;
  let current: NodeResult | undefined = node;
  while (current?.operator === 'debug') {
    depth++;
    current = nodes.find((n) => n.node === current!.parent);
  }
  return depth;
}
