import type { SpeedrunEvent } from '../core/events.js';
import type { DamagedRun } from '../core/store/damaged-run.js';
import type { RunSummary } from '../core/store/schema.js';
import type { HintComparison } from '../core/score/per-hint.js';

/** What the setup screen lets a researcher choose; flags pre-fill it and the last choices are remembered. */
export interface SetupChoices {
  track: string;
  record: number;
  /** none, L1, L2, L3, L1+L2, ... */
  hint: string;
  /** reference | null | human | llm | exec | a coding CLI preset (qwen-code, codex) */
  agent: string;
  /** For llm and the coding CLIs (and optionally exec): the model profile or id. */
  model?: string;
  /** For exec: the command run in each node's workspace. */
  agentCmd?: string;
  scaffold: string;
  nodes: number;
  executor: string;
  maxLlmCalls?: number;
  timeBudgetS?: number;
  /** Tell the llm agent the next record's time (hidden unless true, as in the paper). */
  revealTargetTime?: boolean;
}

export interface CatalogRecord {
  number: number;
  description: string;
  time_ms: number;
  /** Whether a next record exists (the record starts a task). */
  hasTask: boolean;
  /** The hint levels the record has (L9 only where upstream ships it); absent: the catalog's hint list applies. */
  hintLevels?: number[];
}

/** Everything the setup screen offers. */
export interface SetupCatalog {
  tracks: Array<{ name: string; title: string; target_val_loss: number; records: CatalogRecord[] }>;
  hints: string[];
  agents: string[];
  scaffolds: string[];
  executors: string[];
  /** Model profiles from speedrun.config.yaml (may be empty). */
  models: string[];
}

/** One point of a validation-loss curve. */
export interface CurvePoint {
  step: number;
  val_loss: number;
  train_time_ms: number | null;
}

/** A node's files for the detail panes. */
export interface NodeFiles {
  diff: string | null;
  /** The last lines of its output (stdout then stderr). */
  logTail: string;
}

/** One row of the per-hint comparison (the same numbers `speedrun report` prints). */
export type HintRow = HintComparison;

export interface ResultsListing {
  rows: HintRow[];
  damaged: DamagedRun[];
}

/** A run the UI started: it can be paused, quit (leaving a resumable run) or given a human's edit. */
export interface RunHandle {
  /** The bench folder holding this one run (`speedrun bench --resume` continues it). */
  benchDir: string;
  runDir: string;
  readonly paused: boolean;
  /** Stop starting new nodes (in-flight nodes go on), and start again. */
  pause(): void;
  resume(): void;
  /** Stop now; the run stays resumable. Resolves when everything has stopped. */
  quit(): Promise<void>;
  /**
   * The human agent: a copy of the node's script opens in $EDITOR (the UI releases the terminal meanwhile); when
   * saved and changed, it is submitted as a new node whose parent is that node. Resolves false when nothing changed.
   */
  editNode(node: number): Promise<boolean>;
  /** Resolves with the run's summary when it ends (finished, budget-exhausted or aborted). */
  done: Promise<RunSummary>;
}

/** The UI's only way to the core: injected, so screens are tested with fakes. */
export interface TuiController {
  catalog(): Promise<SetupCatalog>;
  hintPreview(track: string, record: number, hint: string): Promise<string>;
  lastChoices(): Promise<Partial<SetupChoices>>;
  saveChoices(choices: SetupChoices): Promise<void>;
  start(choices: SetupChoices, onEvent: (event: SpeedrunEvent) => void): Promise<RunHandle>;
  nodeFiles(runDir: string, node: number): Promise<NodeFiles>;
  /** The record's own validation curve on this machine (from calibration), or null when unknown. */
  recordCurve(track: string, record: number): Promise<CurvePoint[] | null>;
  /** The per-hint comparison of a results folder, and the runs left out because their files do not read back. */
  results(dir: string): Promise<ResultsListing>;
}
