import type { NodeMeta, NodeResult } from '../store/schema.js';
import { claimedBest } from './best-node.js';

/**
 * A run's search tree, the one place that knows its nodes (modelled on AIDE's journal): each node's place (parent,
 * operator, who made it), its state, its script and note once proposed, and its result and analysis once final.
 * The engine, the restore code, the scaffolds (through `nodes`) and the prompts (through `history`) all read it.
 *
 * It also decides duplicates: a script's meaning is measured by one node only. The first node that claims a
 * meaning measures it; a later claim waits for that node's final result and is its duplicate. The claim is taken
 * synchronously and held until the measuring node's result is on record (`settle`), so no copy can slip in between
 * "trained" and "known" and train the same script a second time.
 */

/** 'proposing': the script is being written; 'measuring': it is on record and being audited or trained; then 'finished'. */
export type NodeState = 'proposing' | 'measuring' | 'finished';

export interface SearchNode {
  node: number;
  parent: number | null;
  second_parent: number | null;
  operator: NodeResult['operator'];
  by: NodeMeta['by'];
  /** A smoke experiment's steps (NodeMeta.smoke_steps); null for every other node. */
  smoke_steps: number | null;
  state: NodeState;
  /** The node's script once on record; null before, and for nodes that never had one. */
  script: string | null;
  /** The proposing agent's (or person's) words on the change; null for the baseline. */
  note: string | null;
  /** An optional LLM reading of the node's log; never a source of metrics. */
  analysis: string | null;
  /** The final result; null while in flight, and for a node whose training was stopped (it trains again on resume). */
  result: NodeResult | null;
}

export type FinishedSearchNode = SearchNode & { state: 'finished'; result: NodeResult };

/** Who measures one meaning: its owner, the owner's result once final, and the nodes waiting for that result. */
interface Measurement {
  owner: number;
  result: NodeResult | null;
  waiting: Array<{ node: number; resolve: (twin: FinishedSearchNode | null) => void }>;
}

export class SearchTree {
  private readonly list: SearchNode[] = [];
  private readonly byMeaning = new Map<string, Measurement>();
  private readonly meaningOf = new Map<number, string>();
  private readonly claims = new Map<number, Promise<FinishedSearchNode | null>>();
  /** Claims wait for the ones asked before them (claimInTurn). */
  private turn: Promise<void> = Promise.resolve();

  /**
   * @param smoke a smoke run trains what it is given, so only results it trained itself stand for a meaning (the
   *   baseline's record-table time is the record's, not the smoke script's).
   */
  constructor(private readonly smoke = false) {}

  /** Every node so far in id order, finished or not: what scaffolds decide on. */
  get nodes(): readonly SearchNode[] {
    return this.list;
  }

  /** The id the next node gets. */
  get nextId(): number {
    return this.list.length;
  }

  /** Adds a node at the next id, in flight (proposing, or measuring when its script is already on record). */
  add(meta: NodeMeta, script: { script: string; note: string | null } | null = null): SearchNode {
    if (meta.node !== this.list.length) throw new Error(`node ${meta.node} added to a tree of ${this.list.length} nodes`);
    const node: SearchNode = {
      node: meta.node,
      parent: meta.parent,
      second_parent: meta.second_parent,
      operator: meta.operator,
      by: meta.by,
      smoke_steps: meta.smoke_steps ?? null,
      state: script ? 'measuring' : 'proposing',
      script: script?.script ?? null,
      note: script?.note ?? null,
      analysis: null,
      result: null,
    };
    this.list.push(node);
    return node;
  }

  byId(id: number): SearchNode | undefined {
    return this.list[id];
  }

  /** The node's script is on record: it is measured next. */
  proposed(id: number, script: string, note: string): void {
    Object.assign(this.get(id), { state: 'measuring', script, note });
  }

  /** Finished nodes in id order. */
  finished(): FinishedSearchNode[] {
    return this.list.filter(isFinished);
  }

  /** The final results, in id order: what the run's summary and score are made from. */
  results(): NodeResult[] {
    return this.finished().map((n) => n.result);
  }

  /** The node the claimed score rests on (best-node.ts): the fastest valid node without withholding flags. */
  best(): FinishedSearchNode | null {
    const best = claimedBest(this.results());
    return best === null ? null : (this.list[best.node] as FinishedSearchNode);
  }

  /** Finished nodes by id: the history prompts are built from. */
  history(): ReadonlyMap<number, FinishedSearchNode> {
    return new Map(this.finished().map((n) => [n.node, n]));
  }

  children(id: number): SearchNode[] {
    return this.list.filter((n) => n.parent === id);
  }

  /** A finished node with a script, as a parent to build on; throws otherwise. */
  withScript(id: number | null): FinishedSearchNode & { script: string } {
    const node = id === null ? undefined : this.list[id];
    if (!node || !isFinished(node) || node.script === null) throw new Error(`node ${id} is not a finished node with a script`);
    return node as FinishedSearchNode & { script: string };
  }

  /**
   * Records a node's outcome once it is on disk. A final result finishes the node and, if the node measured a
   * meaning, hands that result to every node waiting on it. A stopped (aborted) node stays in flight, and its
   * meaning passes to the first waiting node, which measures it itself.
   */
  settle(result: NodeResult, fields: { script?: string | null; note?: string | null; analysis?: string | null } = {}): void {
    const node = this.get(result.node);
    if (result.status !== 'aborted') Object.assign(node, { ...fields, state: 'finished', result });
    const key = this.meaningOf.get(result.node);
    const measurement = key === undefined ? undefined : this.byMeaning.get(key);
    if (!measurement || measurement.owner !== result.node || measurement.result) return;
    if (isFinished(node) && this.standsFor(node)) {
      measurement.result = result;
      for (const waiter of measurement.waiting.splice(0)) waiter.resolve(node);
    } else this.handOver(key!, measurement);
  }

  /** A node that ends without settling (its run failed): what it was measuring passes on, so no waiter hangs. */
  release(id: number): void {
    const key = this.meaningOf.get(id);
    const measurement = key === undefined ? undefined : this.byMeaning.get(key);
    if (measurement && measurement.owner === id && !measurement.result) this.handOver(key!, measurement);
  }

  /**
   * Claims a meaning's measurement for a node, at once: resolves to the finished node it duplicates, or to null
   * when this node is the one to measure it. A node claims once; a second call returns the first claim.
   */
  claim(id: number, key: string): Promise<FinishedSearchNode | null> {
    const claimed = this.claims.get(id);
    if (claimed) return claimed;
    this.meaningOf.set(id, key);
    const measurement = this.byMeaning.get(key);
    let claim: Promise<FinishedSearchNode | null>;
    if (!measurement) {
      this.byMeaning.set(key, { owner: id, result: null, waiting: [] });
      claim = Promise.resolve(null);
    } else if (measurement.result) {
      claim = Promise.resolve(this.get(measurement.owner) as FinishedSearchNode);
    } else {
      claim = new Promise((resolve) => measurement.waiting.push({ node: id, resolve }));
    }
    this.claims.set(id, claim);
    return claim;
  }

  /**
   * Claims once the meaning is computed, but in the order nodes ask: a script whose meaning takes longer to compute
   * (a bigger file, a busy machine) keeps its place, so of two copies the one that asked first measures.
   */
  claimInTurn(id: number, key: Promise<string>): Promise<FinishedSearchNode | null> {
    const claim = this.turn.then(() => key).then((known) => this.claim(id, known));
    this.turn = claim.then(
      () => undefined,
      () => undefined,
    );
    return claim;
  }

  /** The claim a node already holds (a resumed node claims while the run folder is read, in id order). */
  claimOf(id: number): Promise<FinishedSearchNode | null> | undefined {
    return this.claims.get(id);
  }

  /**
   * A finished node read back from the run folder: its measurement stands for its meaning when it measured one
   * itself (a duplicate's stands under the node it copies, an earlier id).
   */
  restoreMeasurement(node: FinishedSearchNode, key: string): void {
    this.meaningOf.set(node.node, key);
    if (this.byMeaning.has(key) || !this.standsFor(node)) return;
    this.byMeaning.set(key, { owner: node.node, result: node.result, waiting: [] });
  }

  /** Whether a finished node's result may be reused for a script with its meaning. */
  standsFor(node: FinishedSearchNode): boolean {
    if (node.script === null || node.result.measured_by === 'duplicate') return false;
    return !this.smoke || node.result.measured_by === 'executed';
  }

  private handOver(key: string, measurement: Measurement): void {
    const next = measurement.waiting.shift();
    if (!next) {
      this.byMeaning.delete(key);
      return;
    }
    measurement.owner = next.node;
    next.resolve(null);
  }

  private get(id: number): SearchNode {
    const node = this.list[id];
    if (!node) throw new Error(`node ${id} is not in the search tree`);
    return node;
  }
}

export function isFinished(node: SearchNode): node is FinishedSearchNode {
  return node.state === 'finished';
}
