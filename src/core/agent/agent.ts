import type { TrackManifest } from '../catalog/schema.js';
import type { TaskTimes } from '../calibrate/task-times.js';
import type { LlmUsage, NodeResult } from '../store/schema.js';
import type { LlmCallRecord } from '../store/call-record.js';
import type { StreamEvent } from './llm/chat.js';

/** What an agent node does: a fresh attempt from the baseline, a step on a valid node, a fix of a buggy one, or a mix of two. */
export type Operator = 'draft' | 'improve' | 'debug' | 'crossover';

/** An earlier node as the agent may learn from it: what was tried and what the harness measured. */
export interface NodeHistory {
  result: NodeResult;
  /** The proposing agent's own words on the change (null for the baseline). */
  note: string | null;
  /** An optional LLM reading of the node's log; never a source of metrics. */
  analysis: string | null;
}

export interface ProposeInput {
  manifest: TrackManifest;
  /** The task's record i: the agent starts from its script and aims for record i+1's time. */
  record: number;
  /** The node being written, and what it is: a first draft, an improvement of a valid node, or a fix of a buggy one. */
  node: number;
  operator: Operator;
  parent: NodeHistory;
  parentScript: string;
  /** Files the script imports that lie beside it unchanged (a record's kernel files): shown to the agent, not edited. */
  besideScript?: readonly string[];
  /** For crossover: the other parent and its script. */
  secondParent?: (NodeHistory & { script: string }) | null;
  /** The parent's ancestors from the baseline down, then the parent itself. */
  history: NodeHistory[];
  /**
   * Nodes outside `history` that failed or were not faster than their parent (siblings of the node being written
   * first), oldest first and capped, so the agent does not try them again. Absent: none shown.
   */
  otherAttempts?: NodeHistory[];
  /** Every finished node of the run so far, in id order (agents that read the whole run: exec agents). */
  finished: NodeHistory[];
  /** The run's folder: an agent that keeps files (an exec agent's workspace and logs) keeps them under its node. */
  runDir: string;
  /** The hint setting as given (`none`, `L1+L2`, ...); `hint` holds its text. */
  hintLevel: string;
  /** How many more nodes the run may make after this one; null when only a time budget bounds it. */
  nodesLeft: number | null;
  /**
   * Trains a script the agent is trying while it writes this node, as a node of its own (an experiment), and
   * returns its measured result; refused (ExperimentRefused) once the node cap or the run's time is spent. With
   * `smoke`, a quick check of that many steps that is never scored.
   */
  experiment?: (script: string, note: string, smoke?: number) => Promise<NodeResult>;
  /** For debug: the end of the failing parent's output. */
  parentLogTail: string | null;
  /** The composed hint (empty for `none`). */
  hint: string;
  hardware: string;
  times: TaskTimes;
  /** Whether the prompt may say the next record's time (t_i+1); the paper's agents were not told it. Absent: hidden. */
  revealTargetTime?: boolean;
  timeoutMs: number;
  /** Called once per LLM call, successful or not, so the caller can keep the transcript under the node. */
  onCall?: (call: LlmCallRecord) => void;
  /** Told the pieces of each answer while the model writes it (streaming endpoints only), for live display. */
  onStream?: CallStreamListener;
  signal?: AbortSignal;
}

/** A StreamEvent of one of the node's calls, with what the call is for. */
export type CallStreamListener = (event: StreamEvent, purpose: LlmCallRecord['purpose']) => void;

/** A new script, or the reason there is none; the latter makes the node buggy and the run goes on. */
export type Proposal =
  | { ok: true; script: string; /** one line on what the agent did */ note: string }
  | { ok: false; status: 'edit-failed' | 'agent-error' | 'agent-failed'; message: string };

/** An experiment the run cannot make: its node cap is reached or its time is up. */
export class ExperimentRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExperimentRefused';
  }
}

/** What a run records about its agent (never secrets). */
export type AgentDescription = { name: string } & Record<string, unknown>;

/** Anything that proposes a new training script: the LLM coder, the built-in oracles, a replayed transcript. */
export interface Agent {
  readonly name: string;
  describe(): AgentDescription;
  propose(input: ProposeInput): Promise<Proposal>;
  /** Throws BudgetExhaustedError when the agent may make no further LLM call (agents without a budget omit it). */
  checkBudget?(): void;
  /** On resume: the LLM use already spent by this run, so budgets count from there. */
  restoreUsage?(usage: LlmUsage): void;
  /** An optional short reading of a trained node's log for later prompts. */
  analyze?(input: AnalyzeInput): Promise<string | null>;
}

export interface AnalyzeInput {
  node: number;
  outcome: string;
  /** The end of the node's output, read only by an agent that analyses (reading it costs a file read a node). */
  logTail: () => Promise<string>;
  onCall?: (call: LlmCallRecord) => void;
  onStream?: CallStreamListener;
  signal?: AbortSignal;
}
