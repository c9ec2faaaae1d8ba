import type { Decision, Scaffold, SearchView, TreeNode } from '../../src/core/search/scaffolds/scaffold.js';
import { decisionRandom } from '../../src/core/search/scaffolds/random.js';
import { nodeResult } from '../../src/core/store/node-result.js';
import { BUGGY_STATUSES, type NodeStatus } from '../../src/core/store/schema.js';

/** What a node's training (or proposal) came to, as a test scripts it. */
export interface Outcome {
  status: NodeStatus;
  /** time_to_target_ms; required for 'ok'. */
  ms?: number;
}

export const ok = (ms: number): Outcome => ({ status: 'ok', ms });
export const crashed: Outcome = { status: 'crashed' };
export const timedOut: Outcome = { status: 'timeout' };
export const noMetric: Outcome = { status: 'no-metric' };
export const missed: Outcome = { status: 'missed-target' };
export const editFailed: Outcome = { status: 'edit-failed' };
export const agentError: Outcome = { status: 'agent-error' };

export type OutcomeFn = (node: TreeNode, nodes: readonly TreeNode[]) => Outcome;

/** Outcomes by node id; any node not listed gets `otherwise`. */
export function byId(outcomes: Record<number, Outcome>, otherwise: Outcome = crashed): OutcomeFn {
  return (node) => outcomes[node.node] ?? otherwise;
}

export interface SimOptions {
  outcome: OutcomeFn;
  baselineMs?: number;
  /** Most nodes in flight at once; the scaffold is asked again whenever fewer are. */
  concurrency?: number;
  /** Which in-flight node finishes next: the oldest, the newest, or one chosen by a seeded shuffle. */
  finishOrder?: 'oldest' | 'newest' | { shuffleSeed: number };
  /** The generator handed to each decision; by default decisionRandom(seed, id of the node about to be made). */
  random?: (node: number) => () => number;
  seed?: number;
}

export interface SimStep {
  decision: Decision;
  /** The id the node would get (the view's length), and how many nodes were in flight when asked. */
  nextId: number;
  inFlight: number;
}

export interface SimRun {
  nodes: TreeNode[];
  steps: SimStep[];
  /** Each agent node as `operator(parent)` or `crossover(parent,second)`, in id order. */
  shape: string[];
}

/** A generator that hands out the listed draws for each node id, then `fallback` for every further draw. */
export function scriptedRandom(draws: Record<number, number[]>, fallback = 0.999): (node: number) => () => number {
  return (node) => {
    const queue = [...(draws[node] ?? [])];
    return () => queue.shift() ?? fallback;
  };
}

/**
 * Drives a scaffold to completion the way the engine does: ask while fewer than `concurrency` nodes are in flight,
 * create what it decides, finish in-flight nodes (in the chosen order) when it waits or the slots are full. Checks
 * on the way that the scaffold only builds on finished nodes and never waits with nothing in flight.
 */
export function simulate(scaffold: Scaffold, options: SimOptions): SimRun {
  const baselineMs = options.baselineMs ?? 100_000;
  const concurrency = options.concurrency ?? 1;
  const randomFor = options.random ?? ((node: number) => decisionRandom(options.seed ?? 1, node));
  const baseline = nodeResult({ node: 0, parent: null, operator: 'baseline', status: 'ok', measured_by: 'calibration', time_to_target_ms: baselineMs });
  const nodes: TreeNode[] = [{ node: 0, parent: null, second_parent: null, operator: 'baseline', result: baseline }];
  const steps: SimStep[] = [];
  const shuffle = typeof options.finishOrder === 'object' ? decisionRandom(options.finishOrder.shuffleSeed, 0) : null;
  let done = false;

  const inFlight = () => nodes.filter((n) => n.result === null);
  const finishOne = () => {
    const pending = inFlight();
    if (pending.length === 0) throw new Error('nothing in flight to finish');
    const order = options.finishOrder ?? 'oldest';
    const index = order === 'oldest' ? 0 : order === 'newest' ? pending.length - 1 : Math.floor(shuffle!() * pending.length);
    const node = pending[index]!;
    const outcome = options.outcome(node, nodes);
    if (outcome.status === 'ok' && outcome.ms === undefined) throw new Error(`outcome for node ${node.node}: ok needs ms`);
    node.result = nodeResult({
      node: node.node,
      parent: node.parent,
      second_parent: node.second_parent,
      operator: node.operator,
      status: outcome.status,
      measured_by: outcome.status === 'edit-failed' || outcome.status === 'agent-error' ? 'not-run' : 'executed',
      time_to_target_ms: outcome.status === 'ok' ? outcome.ms! : null,
    });
  };

  for (let guard = 0; guard < 10_000; guard++) {
    if (done || inFlight().length >= concurrency) {
      if (inFlight().length === 0) return { nodes, steps, shape: shapeOf(nodes) };
      finishOne();
      continue;
    }
    const view: SearchView = { nodes: nodes.map((n) => ({ ...n })), baselineMs };
    const decision = scaffold.next(view, randomFor(nodes.length));
    steps.push({ decision, nextId: nodes.length, inFlight: inFlight().length });
    if (decision.kind === 'done') done = true;
    else if (decision.kind === 'wait') {
      if (inFlight().length === 0) throw new Error(`${scaffold.name} waits with nothing in flight (next id ${nodes.length})`);
      finishOne();
    } else {
      checkParents(nodes, decision);
      nodes.push({ node: nodes.length, parent: decision.parent, second_parent: decision.second_parent ?? null, operator: decision.operator, result: null });
    }
  }
  throw new Error(`${scaffold.name} did not finish`);
}

/** What each operator may build on: drafts on the baseline, fixes on buggy nodes with a script, the rest on nodes that ran. */
function checkParents(nodes: readonly TreeNode[], decision: Extract<Decision, { kind: 'expand' }>): void {
  const parent = nodes[decision.parent];
  if (!parent || parent.result === null) throw new Error(`${decision.operator} on node ${decision.parent}, which is not finished`);
  const status = parent.result.status;
  const ran = status === 'ok' || status === 'missed-target';
  const fine =
    decision.operator === 'draft'
      ? decision.parent === 0
      : decision.operator === 'debug'
        ? ['crashed', 'timeout', 'no-metric'].includes(status)
        : ran && !BUGGY_STATUSES.includes(status);
  if (!fine) throw new Error(`${decision.operator} on node ${decision.parent} (${status})`);
  if (decision.operator === 'crossover') {
    const second = decision.second_parent === undefined ? undefined : nodes[decision.second_parent];
    if (!second || second.result?.status !== 'ok' || second.node === decision.parent) {
      throw new Error(`crossover of ${decision.parent} needs a distinct finished second parent, got ${decision.second_parent}`);
    }
  }
}

export function shapeOf(nodes: readonly TreeNode[]): string[] {
  return nodes
    .filter((n) => n.operator !== 'baseline')
    .map((n) => (n.operator === 'crossover' ? `crossover(${n.parent},${n.second_parent})` : `${n.operator}(${n.parent})`));
}

/** `count` copies of `item`, for writing expected shapes. */
export function times<T>(count: number, item: T): T[] {
  return Array.from({ length: count }, () => item);
}
