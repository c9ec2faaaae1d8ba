import type { Operator } from '../../agent/agent.js';
import { BUGGY_STATUSES, type NodeResult, type NodeStatus } from '../../store/schema.js';
import { bestNode } from '../best-node.js';
import type { Decision, SearchView, TreeNode } from './scaffold.js';

/** The baseline: every tree grows from it, and drafts are its children. */
export const ROOT = 0;

/** Buggy nodes that have a script to fix; edit-failed and agent-error nodes never produced one. */
const DEBUGGABLE: readonly NodeStatus[] = ['crashed', 'timeout', 'no-metric', 'rejected'];

export type FinishedNode = TreeNode & { result: NodeResult };

export const WAIT: Decision = { kind: 'wait' };
export const DONE: Decision = { kind: 'done' };

export function expand(operator: Operator, parent: number, secondParent?: number): Decision {
  return secondParent === undefined ? { kind: 'expand', operator, parent } : { kind: 'expand', operator, parent, second_parent: secondParent };
}

export function isFinished(node: TreeNode): node is FinishedNode {
  return node.result !== null;
}

export function isBuggy(node: TreeNode): boolean {
  return node.result !== null && BUGGY_STATUSES.includes(node.result.status);
}

export function isDebuggable(node: TreeNode): boolean {
  return node.result !== null && DEBUGGABLE.includes(node.result.status);
}

/** Reached the target: a candidate for best. */
export function isValid(node: TreeNode): boolean {
  return node.result?.status === 'ok';
}

/** Ran fine but never reached the target: valid-but-slow, neither buggy nor a candidate for best. */
export function isMissedTarget(node: TreeNode): boolean {
  return node.result?.status === 'missed-target';
}

/** Every node the agent made (in flight or not), in id order; the baseline is not one. */
export function agentNodes(view: SearchView): TreeNode[] {
  return view.nodes.filter((n) => n.operator !== 'baseline');
}

/** Agent nodes made fresh (draft, improve, crossover): each starts a line that debug nodes may extend. */
export function headNodes(view: SearchView): TreeNode[] {
  return agentNodes(view).filter((n) => n.operator !== 'debug');
}

/** The node cap counts every agent node created, finished or not. */
export function capReached(view: SearchView, maxNodes: number): boolean {
  return agentNodes(view).length >= maxNodes;
}

export function inFlightCount(view: SearchView): number {
  return view.nodes.filter((n) => n.result === null).length;
}

export function nodeAt(view: SearchView, id: number): TreeNode {
  const node = view.nodes[id]?.node === id ? view.nodes[id] : view.nodes.find((n) => n.node === id);
  if (!node) throw new Error(`node ${id} is not in the search view`);
  return node;
}

/** The nodes whose (first) parent is `id`, in id order. */
export function childrenOf(view: SearchView, id: number): TreeNode[] {
  return view.nodes.filter((n) => n.parent === id);
}

/** No node builds on it, as first or second parent. */
export function isLeaf(view: SearchView, id: number): boolean {
  return !view.nodes.some((n) => n.parent === id || n.second_parent === id);
}

/** How many debug nodes in a row end at `id` (0 when `id` is not itself a debug node). */
export function debugDepth(view: SearchView, id: number): number {
  let depth = 0;
  let current = nodeAt(view, id);
  while (current.operator === 'debug' && current.parent !== null) {
    depth++;
    current = nodeAt(view, current.parent);
  }
  return depth;
}

/** The fastest finished node that reached the target (baseline included, ties to the lowest id); the baseline if none. */
export function bestValidNode(view: SearchView): number {
  const finished = view.nodes.filter(isFinished).map((n) => n.result);
  return bestNode(finished)?.node ?? ROOT;
}

/** A valid node's speed-up over the baseline (t_i / t); a node that ran but missed the target scores 0; else null. */
export function speedup(node: TreeNode, baselineMs: number): number | null {
  if (isMissedTarget(node)) return 0;
  if (!isValid(node)) return null;
  const ms = node.result!.time_to_target_ms;
  return ms !== null && ms > 0 ? baselineMs / ms : 0;
}
