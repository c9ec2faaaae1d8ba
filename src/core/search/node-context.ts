import type { Agent } from '../agent/agent.js';
import type { TrackManifest } from '../catalog/schema.js';
import type { Timing } from '../catalog/task-timing.js';
import type { EventSink } from '../events.js';
import type { SlotPool } from '../exec/slot-pool.js';
import type { Executor } from '../exec/types.js';
import type { ScriptMeaning } from '../measure/script-meaning.js';
import type { RunHistory } from '../store/run-history.js';
import type { RunStore } from '../store/run-store.js';
import type { Launch } from '../exec/node-job.js';
import type { IntegrityGate } from './integrity-gate.js';
import type { SearchTree } from './search-tree.js';
import type { TaskTimes } from '../calibrate/task-times.js';

/** What every step of a node needs: the run's folder, tree, agent, executor and settings. */
export interface NodeContext {
  runId: string;
  store: RunStore;
  history: RunHistory;
  emit: EventSink;
  manifest: TrackManifest;
  record: number;
  agent: Agent;
  executor: Executor;
  slots: SlotPool;
  launch: Launch;
  /** The hint setting (`none`, `L1+L2`, ...) and its text as the agent gets it. */
  hintSpec: string;
  hintText: string;
  hardware: string;
  times: TaskTimes;
  /** Whether prompts may state the next record's time (the run's recorded reveal_target_time). */
  revealTargetTime: boolean;
  /** The run's nodes, and who measures each script's meaning. */
  tree: SearchTree;
  /** Audits each script against the baseline record before it trains; null only where tests train fake scripts. */
  integrity: IntegrityGate | null;
  /** The meaning of a script (comments, formatting and docstrings aside), null when it does not parse. */
  meaning: ScriptMeaning;
  /** The task's target and the track's rule: how every node's time is read. */
  timing: Timing;
  /** How many more agent nodes the scaffold's cap allows after those in the tree; null when it has no cap. */
  nodesLeft: () => number | null;
  /** When the run's wall-clock budget is spent (Date.now() scale; Infinity without one): no node starts after it. */
  deadline: number;
  /** Smoke run: train each script rewritten to this many steps. */
  smoke: number | null;
  signal?: AbortSignal;
}
