import type { TrackManifest } from '../catalog/schema.js';
import { taskTiming, type Timing } from '../catalog/task-timing.js';
import type { Agent } from '../agent/agent.js';
import type { PythonWithTorch } from '../exec/python.js';
import type { Executor } from '../exec/types.js';
import type { ChainStart, RunConfig } from '../store/schema.js';
import type { ScriptChecker } from './integrity-gate.js';
import type { RetimeSetting } from './run-scoring.js';
import type { Scaffold } from './scaffolds/scaffold.js';

/** The part of a search's input that run.json records (RunSearchInput has it; named here so the engine's module is not imported back). */
export interface RunConfigInput {
  runId: string;
  manifest: TrackManifest;
  record: number;
  hintSpec: string;
  agent: Pick<Agent, 'name' | 'describe'>;
  executor: Pick<Executor, 'name'>;
  python: PythonWithTorch;
  budget: Record<string, number>;
  scaffold: Pick<Scaffold, 'name' | 'params'>;
  seed: number;
  smoke?: number;
  checkScript?: ScriptChecker | null;
  revealTargetTime?: boolean;
  retime?: RetimeSetting;
  chain?: ChainStart;
}

/**
 * run.json's config for a new run: who searches, with what, and how its times are read and scored (the task's
 * target, the track's rule, the re-timing). A resumed run keeps the config it was started with.
 */
export function newRunConfig(input: RunConfigInput, now: Date): RunConfig {
  const { manifest, record } = input;
  // A smoke run is never scored, so nothing is re-timed for it.
  const retime =
    input.smoke !== undefined ? { mode: 'none' as const, repeats: 1 } : (input.retime ?? { mode: manifest.retime, repeats: manifest.retime_repeats });
  const timing = taskTiming(manifest, record);
  return {
    run_id: input.runId,
    track: manifest.track,
    record,
    hint: input.hintSpec,
    agent: input.agent.name,
    executor: input.executor.name,
    python: input.python.python,
    torch_version: input.python.torchVersion,
    agent_config: input.agent.describe(),
    budget: input.budget,
    scaffold: { name: input.scaffold.name, ...input.scaffold.params },
    seed: input.seed,
    smoke: input.smoke ?? null,
    integrity_check: input.checkScript !== null,
    reveal_target_time: input.revealTargetTime ?? false,
    timing_rule: timing.rule,
    target_val_loss: timing.target,
    retime: retime.mode,
    retime_repeats: retime.repeats,
    ...(input.chain && { chain: input.chain }),
    created_at: now.toISOString(),
  };
}

/** How a run (new or resumed) reads and scores its times, from its config. */
export function runSettings(config: RunConfig, manifest: TrackManifest): { timing: Timing; retime: RetimeSetting } {
  return {
    // Runs started before tracks declared a rule timed every node at its first crossing of the track's target.
    timing: { rule: config.timing_rule ?? 'first-crossing', target: config.target_val_loss ?? manifest.target_val_loss },
    // ... and scored against calibration or the record table.
    retime: { mode: config.retime ?? 'none', repeats: config.retime_repeats ?? manifest.retime_repeats },
  };
}
