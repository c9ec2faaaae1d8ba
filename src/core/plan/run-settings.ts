import type { BudgetLimits } from '../agent/budget.js';
import type { BenchSpec } from '../bench/bench-spec.js';
import type { RetimeMode, TrackManifest } from '../catalog/schema.js';
import type { EventSink } from '../events.js';
import type { Execution } from '../exec/execution.js';
import type { PythonWithTorch } from '../exec/python.js';
import type { RunControl } from '../search/run-control.js';
import type { RetimeSetting } from '../search/run-scoring.js';

/** What every run of one command shares: the interpreter, the executor and its slots, limits and LLM settings. */
export interface RunSettings {
  python: PythonWithTorch;
  execution: Execution;
  timeoutMs?: number;
  wallBudgetMs?: number;
  /** Overrides the scaffold's node cap. */
  nodes?: number;
  budget?: BudgetLimits;
  /** speedrun.config.yaml to read model profiles from. */
  config?: string;
  /** Pause and human edits from the terminal UI. */
  control?: RunControl;
  /** Smoke run: train each node rewritten to this many steps, never scored. */
  smoke?: number;
  /** False: skip the integrity audit of node scripts (--no-integrity-check; the score is flagged). */
  integrityCheck?: boolean;
  /** --retime / --retime-repeats (or the bench file's): where scores take their times; default: the track's. */
  retime?: RetimeMode;
  retimeRepeats?: number;
  /** Let the agent's prompts state the next record's time (--reveal-target-time). Default: hidden, as in the paper. */
  revealTargetTime?: boolean;
  signal: AbortSignal;
  emit?: EventSink;
}

/** What a command brings beyond its spec: the things found or made at start-up, and the live hooks. */
export type LiveSettings = Pick<RunSettings, 'python' | 'execution' | 'config' | 'control' | 'smoke' | 'signal' | 'emit'>;

/**
 * The settings of a spec's runs. `run`, `bench` and the terminal UI all describe what they run as a bench spec
 * (`run` is a bench of one), so a flag means the same everywhere and a bench resumed from its folder runs as it began.
 */
export function runSettingsOf(spec: BenchSpec, live: LiveSettings): RunSettings {
  return { ...live, ...specLimits(spec) };
}

/** The part of the settings a spec fixes: limits, node cap, audit and scoring. */
export function specLimits(spec: BenchSpec): Omit<RunSettings, keyof LiveSettings> {
  return {
    timeoutMs: spec.timeout_s === undefined ? undefined : spec.timeout_s * 1000,
    wallBudgetMs: spec.time_budget_s === undefined ? undefined : spec.time_budget_s * 1000,
    nodes: spec.nodes,
    budget: spec.budget,
    integrityCheck: spec.integrity_check,
    retime: spec.retime,
    retimeRepeats: spec.retime_repeats,
    revealTargetTime: spec.reveal_target_time,
  };
}

/** The executor and slots a spec asks for, as the executor set-up takes them. */
export interface ExecutionRequest {
  executor: string;
  slots?: number;
  gpus?: string;
  gpusPerRun?: number;
}

export function executionRequestOf(spec: BenchSpec): ExecutionRequest {
  return {
    executor: spec.executor,
    // With GPUs there is one slot per GPU set; the CPU slot count does not apply.
    slots: spec.gpus || spec.gpus_per_run ? undefined : spec.slots,
    gpus: spec.gpus,
    gpusPerRun: spec.gpus_per_run,
  };
}

/** Where a new run's score takes its times: the settings' choice, else the track's. */
export function retimeFor(settings: Pick<RunSettings, 'retime' | 'retimeRepeats'>, manifest: TrackManifest): RetimeSetting {
  return { mode: settings.retime ?? manifest.retime, repeats: settings.retimeRepeats ?? manifest.retime_repeats };
}
