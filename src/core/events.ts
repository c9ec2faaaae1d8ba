import type { ChainStart, NodeResult, RunSummary } from './store/schema.js';
import type { RetimeMode, TimingRule } from './catalog/schema.js';
import type { TimedRun } from './store/scoring-schema.js';

/**
 * The one typed event stream of the core. The headless NDJSON printer, the journal and (later) the TUI all
 * consume it; nothing else is shown to a user that is not in an event.
 */
export type SpeedrunEvent =
  | {
      /** run-resumed: the same run continued from its folder after an interruption. */
      type: 'run-started' | 'run-resumed';
      run_id: string;
      track: string;
      record: number;
      hint: string;
      agent: string;
      scaffold: string;
      seed: number;
      baseline_ms: number;
      target_ms: number;
      results_dir: string;
      /** How every time of the run is read (the task's target, the track's rule) and where the score's times come from. */
      timing_rule?: TimingRule;
      target_val_loss?: number;
      retime?: RetimeMode;
    }
  | {
      type: 'node-created';
      run_id: string;
      node: number;
      parent: number | null;
      second_parent: number | null;
      operator: NodeResult['operator'];
      /** Who writes the node: the agent, or a person through the terminal UI. */
      by: 'agent' | 'human';
    }
  | { type: 'edit-applied'; run_id: string; node: number; lines_added: number; lines_removed: number; duplicate_of: number | null; note: string }
  | { type: 'log-line'; run_id: string; node: number; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'metric'; run_id: string; node: number; step: number; total_steps: number | null; val_loss: number; train_time_ms: number | null }
  | { type: 'node-finished'; run_id: string; node: number; result: NodeResult }
  | {
      type: 'llm-call';
      run_id: string;
      node: number;
      purpose: string;
      prompt_tokens: number | null;
      completion_tokens: number | null;
      cost_usd: number | null;
      latency_ms: number;
      error: string | null;
    }
  | {
      /**
       * A piece of the answer an LLM call is streaming for a node, for live display only: the whole answer is kept in
       * the node's llm-calls.jsonl and reported by llm-call. Pieces are gathered (at most one event per part every
       * STREAM_EVENT_INTERVAL_MS); `restart` (with empty text) voids the pieces before it: the call is being retried.
       */
      type: 'llm-delta';
      run_id: string;
      node: number;
      purpose: string;
      part: 'content' | 'reasoning';
      text: string;
      restart: boolean;
    }
  /** The search is over and its best node is trained again beside record i (and i+1) for the claimed score. */
  | { type: 'scoring-started'; run_id: string; best_node: number; retime: RetimeMode; repeats: number }
  /** One finished training of the scoring round. */
  | ({ type: 'scoring-repeat'; run_id: string; of: number } & TimedRun)
  | { type: 'run-finished'; run_id: string; status: string; fsr: number | null; best: RunSummary['best'] }
  | { type: 'error'; run_id?: string; node?: number; message: string }
  | { type: 'bench-started'; dir: string; runs: number; resumed: boolean }
  | { type: 'bench-finished'; runs: BenchRunEntry[] }
  /** A chain's bench ended: its steps so far; `complete` false when a step did not finish and the chain stopped there. */
  | { type: 'chain-finished'; steps: ChainStepEntry[]; complete: boolean };

export type EventSink = (event: SpeedrunEvent) => void;

/** Fans one event out to several consumers. */
export function fanOut(...sinks: Array<EventSink | undefined>): EventSink {
  return (event) => {
    for (const sink of sinks) sink?.(event);
  };
}

/** One line of a bench's result: the run's cell of the matrix and its score (the bench-finished event, the bench table). */
export interface BenchRunEntry {
  run_id: string;
  track: string;
  record: number;
  hint: string;
  agent: string;
  scaffold: string;
  seed: number;
  status: RunSummary['status'];
  fsr: number | null;
  best: RunSummary['best'];
  /** Why the run has no result (it failed before finishing), else null. */
  error: string | null;
}

/**
 * One step of a chain (README "Chains"): its run's bench entry, where it started, node 0's own time, and the task's
 * times its FSR used (record i's and i+1's, never the start script's).
 */
export interface ChainStepEntry extends BenchRunEntry {
  step: number;
  start: Pick<ChainStart, 'from' | 'run_id' | 'node' | 'file'>;
  /** Node 0 (the start script) as this run trained it; null when it was not trained (step 0 timed by the table) or missed the target. */
  start_ms: number | null;
  /** t_i and t_{i+1} of the step's task as its score used them; null when the run has no result. */
  baseline_ms: number | null;
  target_ms: number | null;
}
