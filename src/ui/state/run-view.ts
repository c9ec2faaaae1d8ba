import type { SpeedrunEvent } from '../../core/events.js';
import type { NodeAudit } from '../../core/measure/integrity-report.js';
import { withholdingFlags } from '../../core/search/best-node.js';
import type { SearchNode } from '../../core/search/search-tree.js';
import type { NodeResult, RunSummary } from '../../core/store/schema.js';
import type { RetimeMode, TimingRule } from '../../core/catalog/schema.js';
import { bestAgainstNode0, fsr as computeFsr } from '../../core/score/fsr.js';
import type { CurvePoint } from '../controller.js';

/**
 * What the run screen shows, derived only from the event stream. The reducer is pure (the caller passes the clock
 * reading for run-started), so every screen state can be rebuilt from a list of events in a test.
 */

/**
 * A node's state as the screen names it: 'writing' is the search tree's 'proposing', 'training' its 'measuring'
 * (audit and training), then the node's final status.
 */
export type NodeViewStatus = 'writing' | 'training' | NodeResult['status'];

/**
 * A node of the run's search tree (core/search/search-tree.ts) as the screen shows it. The screen gets only the
 * event stream (the run may be another process, or a journal read back), so it rebuilds the nodes from events
 * rather than reading the engine's tree; what the two share takes its type from the tree's node.
 */
export interface NodeView {
  id: SearchNode['node'];
  parent: SearchNode['parent'];
  secondParent: SearchNode['second_parent'];
  operator: SearchNode['operator'];
  /** Who wrote it: the agent, or a person through `e` (resumed nodes the UI never saw created count as the agent's). */
  by: SearchNode['by'];
  status: NodeViewStatus;
  timeToTargetMs: number | null;
  /** The loss that reached the target, else the latest one seen. */
  valLoss: number | null;
  note: SearchNode['note'];
  error: string | null;
  linesAdded: number | null;
  linesRemoved: number | null;
  curve: CurvePoint[];
  logs: string[];
  step: number | null;
  totalSteps: number | null;
  /** The answer an LLM call is streaming for this node right now; null between calls (the answers are on record). */
  live: LiveAnswer | null;
  /** The node's integrity audit once it finished (null before, or when nothing was checked). */
  integrity: NodeAudit | null;
}

/** What the agent has written so far in the current call: the tail of its answer, and of its reasoning if sent. */
export interface LiveAnswer {
  purpose: string;
  content: string;
  reasoning: string;
}

export interface FinishedView {
  status: string;
  fsr: number | null;
  best: RunSummary['best'];
}

export interface RunViewState {
  runId: string | null;
  track: string | null;
  record: number | null;
  hint: string | null;
  agent: string | null;
  /** Not in the event stream: the UI knows it from the choices it started the run with. */
  model: string | null;
  scaffold: string | null;
  seed: number | null;
  baselineMs: number | null;
  targetMs: number | null;
  /** How every time of the run is read (the track's rule at the task's target), from run-started. */
  timingRule: TimingRule | null;
  targetValLoss: number | null;
  /** Where the claimed FSR takes its times; with re-timing a scoring round follows the search. */
  retime: RetimeMode | null;
  /** The scoring round once it started: trainings done of all it makes. */
  scoring: { done: number; total: number } | null;
  resultsDir: string | null;
  resumed: boolean;
  /** Clock reading (ms) when run-started/run-resumed arrived; elapsed time is measured from it. */
  startedAtMs: number | null;
  llmCalls: number;
  promptTokens: number;
  completionTokens: number;
  /** Sum of the known costs; null while no call reported one (a local model has no price). */
  costUsd: number | null;
  nodes: Record<number, NodeView>;
  /** Node ids in creation order. */
  order: number[];
  bestNode: number | null;
  bestMs: number | null;
  fsr: number | null;
  /** The node whose training reported last: it drives the progress bar. */
  trainingNode: number | null;
  lastError: string | null;
  finished: FinishedView | null;
}

/** Log lines kept per node: enough for the tail pane, bounded for long runs. */
export const LOG_LINES_KEPT = 200;
/** Characters of a streaming answer (and of its reasoning) kept: several screens of text, bounded for long answers. */
export const LIVE_CHARS_KEPT = 8_192;

export function initialRunView(model: string | null = null): RunViewState {
  return {
    runId: null,
    track: null,
    record: null,
    hint: null,
    agent: null,
    model,
    scaffold: null,
    seed: null,
    baselineMs: null,
    targetMs: null,
    timingRule: null,
    targetValLoss: null,
    retime: null,
    scoring: null,
    resultsDir: null,
    resumed: false,
    startedAtMs: null,
    llmCalls: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: null,
    nodes: {},
    order: [],
    bestNode: null,
    bestMs: null,
    fsr: null,
    trainingNode: null,
    lastError: null,
    finished: null,
  };
}

export function reduceRunView(state: RunViewState, event: SpeedrunEvent, nowMs = 0): RunViewState {
  switch (event.type) {
    case 'run-started':
    case 'run-resumed':
      return {
        ...state,
        runId: event.run_id,
        track: event.track,
        record: event.record,
        hint: event.hint,
        agent: event.agent,
        scaffold: event.scaffold,
        seed: event.seed,
        baselineMs: event.baseline_ms,
        targetMs: event.target_ms,
        timingRule: event.timing_rule ?? null,
        targetValLoss: event.target_val_loss ?? null,
        retime: event.retime ?? null,
        resultsDir: event.results_dir,
        resumed: event.type === 'run-resumed',
        startedAtMs: nowMs,
      };
    case 'node-created': {
      const node = newNodeView(event, 'writing');
      const order = state.order.includes(event.node) ? state.order : [...state.order, event.node];
      return { ...state, nodes: { ...state.nodes, [event.node]: node }, order };
    }
    case 'edit-applied':
      return updateNode(state, event.node, (n) => ({
        ...n,
        status: 'training',
        linesAdded: event.lines_added,
        linesRemoved: event.lines_removed,
        note: event.note || n.note,
      }));
    case 'log-line':
      return updateNode(state, event.node, (n) => ({ ...n, logs: appendBounded(n.logs, event.line) }));
    case 'metric': {
      const point: CurvePoint = { step: event.step, val_loss: event.val_loss, train_time_ms: event.train_time_ms };
      const next = updateNode(state, event.node, (n) => ({
        ...n,
        status: isFinal(n.status) ? n.status : 'training',
        curve: [...n.curve, point],
        valLoss: event.val_loss,
        step: event.step,
        totalSteps: event.total_steps ?? n.totalSteps,
      }));
      return { ...next, trainingNode: event.node };
    }
    case 'node-finished':
      return withBest(finishNode(state, event.result));
    case 'llm-delta':
      return updateNode(state, event.node, (n) => ({ ...n, live: withPiece(event.restart ? null : n.live, event) }));
    case 'llm-call':
      return {
        // The call is over: its live text goes (the whole answer is in the node's llm-calls.jsonl).
        ...updateNode(state, event.node, (n) => (n.live === null ? n : { ...n, live: null })),
        llmCalls: state.llmCalls + 1,
        promptTokens: state.promptTokens + (event.prompt_tokens ?? 0),
        completionTokens: state.completionTokens + (event.completion_tokens ?? 0),
        costUsd: event.cost_usd === null ? state.costUsd : (state.costUsd ?? 0) + event.cost_usd,
      };
    case 'error':
      return { ...state, lastError: event.node === undefined ? event.message : `#${event.node}: ${event.message}` };
    case 'scoring-started':
      return { ...state, scoring: { done: 0, total: event.repeats * (event.retime === 'both' ? 3 : 2) } };
    case 'scoring-repeat':
      return { ...state, scoring: state.scoring && { ...state.scoring, done: state.scoring.done + 1 } };
    case 'run-finished':
      return { ...state, trainingNode: null, finished: { status: event.status, fsr: event.fsr, best: event.best }, fsr: event.fsr ?? state.fsr };
    default:
      // bench-* events describe the bench around the run, not the run itself.
      return state;
  }
}

function finishNode(state: RunViewState, result: NodeResult): RunViewState {
  const existing = state.nodes[result.node];
  const base: NodeView = existing ?? newNodeView({ ...result, by: 'agent' }, result.status);
  const node: NodeView = {
    ...base,
    // A call cut off by a stop never reports its end; a finished node is written either way.
    live: null,
    status: result.status,
    timeToTargetMs: result.time_to_target_ms,
    valLoss: result.val_loss_at_target ?? result.final?.val_loss ?? base.valLoss,
    note: result.note ?? base.note,
    error: result.error,
    step: result.final?.step ?? base.step,
    totalSteps: result.final?.total_steps ?? base.totalSteps,
    integrity: result.integrity,
  };
  const order = state.order.includes(result.node) ? state.order : [...state.order, result.node];
  const trainingNode = state.trainingNode === result.node ? null : state.trainingNode;
  return { ...state, nodes: { ...state.nodes, [result.node]: node }, order, trainingNode };
}

/** The time a finished ok node counts with; the baseline without its own measurement counts with t_i. */
export function nodeTimeMs(node: NodeView, baselineMs: number | null): number | null {
  if (node.status !== 'ok') return null;
  return node.timeToTargetMs ?? (node.operator === 'baseline' ? baselineMs : null);
}

/** The fastest ok node without flags of its own (the earlier one on a tie) and the FSR it gives so far. */
function withBest(state: RunViewState): RunViewState {
  let bestNode: number | null = null;
  let bestMs: number | null = null;
  for (const id of state.order) {
    const node = state.nodes[id];
    // As the run's own score: a flagged node is shown, never claimed (README "Integrity").
    const ms = node && withholdingFlags(node).length === 0 ? nodeTimeMs(node, state.baselineMs) : null;
    if (ms !== null && (bestMs === null || ms < bestMs)) {
      bestNode = id;
      bestMs = ms;
    }
  }
  // t* against node 0 as this run measured it: with re-timing node 0 trains here, and a node is scored by its
  // speedup over it (without, node 0's time is t_i itself and nothing changes). The scoring round has the last word.
  const node0 = state.nodes[0] ? nodeTimeMs(state.nodes[0], state.baselineMs) : null;
  const scaled = state.baselineMs === null ? bestMs : bestAgainstNode0(state.baselineMs, node0, bestMs);
  return { ...state, bestNode, bestMs, fsr: fsrSoFar(state.baselineMs, state.targetMs, scaled) };
}

function fsrSoFar(baselineMs: number | null, targetMs: number | null, bestMs: number | null): number | null {
  if (baselineMs === null || targetMs === null) return null;
  try {
    return computeFsr(baselineMs, targetMs, bestMs);
  } catch {
    // Times that make FSR undefined (t_i ≤ t_i+1) show as "—" rather than crash the screen.
    return null;
  }
}

function updateNode(state: RunViewState, id: number, change: (node: NodeView) => NodeView): RunViewState {
  const node = state.nodes[id];
  if (!node) return state;
  return { ...state, nodes: { ...state.nodes, [id]: change(node) } };
}

function isFinal(status: NodeViewStatus): boolean {
  return status !== 'writing' && status !== 'training';
}

function withPiece(live: LiveAnswer | null, piece: { purpose: string; part: 'content' | 'reasoning'; text: string }): LiveAnswer {
  const current = live !== null && live.purpose === piece.purpose ? live : { purpose: piece.purpose, content: '', reasoning: '' };
  const text = current[piece.part] + piece.text;
  return { ...current, [piece.part]: text.length > LIVE_CHARS_KEPT ? text.slice(text.length - LIVE_CHARS_KEPT) : text };
}

function appendBounded(lines: string[], line: string): string[] {
  const next = lines.length >= LOG_LINES_KEPT ? lines.slice(lines.length - LOG_LINES_KEPT + 1) : lines.slice();
  next.push(line);
  return next;
}

/** Depth of each node below its parent, for the indented tree; parents missing from the view count as roots. */
export function treeOrder(state: RunViewState): Array<{ id: number; depth: number }> {
  const children = new Map<number | null, number[]>();
  for (const id of state.order) {
    const parent = state.nodes[id]?.parent ?? null;
    const key = parent !== null && state.nodes[parent] ? parent : null;
    children.set(key, [...(children.get(key) ?? []), id]);
  }
  const out: Array<{ id: number; depth: number }> = [];
  const visit = (parent: number | null, depth: number) => {
    for (const id of children.get(parent) ?? []) {
      out.push({ id, depth });
      visit(id, depth + 1);
    }
  };
  visit(null, 0);
  return out;
}

/** A node as the screen first knows it: its place in the tree and a status, nothing measured yet. */
function newNodeView(place: Pick<NodeResult, 'node' | 'parent' | 'second_parent' | 'operator'> & { by: NodeView['by'] }, status: NodeView['status']): NodeView {
  return {
    id: place.node,
    parent: place.parent,
    secondParent: place.second_parent,
    operator: place.operator,
    by: place.by,
    status,
    timeToTargetMs: null,
    valLoss: null,
    note: null,
    error: null,
    linesAdded: null,
    linesRemoved: null,
    curve: [],
    logs: [],
    step: null,
    totalSteps: null,
    live: null,
    integrity: null,
  };
}
