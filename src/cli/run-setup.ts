import { readFile } from 'node:fs/promises';
import { loadTrack, resolveRecordScript } from '../core/catalog/catalog.js';
import type { RetimeMode, TrackManifest } from '../core/catalog/schema.js';
import { smokeRewrite } from '../core/smoke/smoke-rewrite.js';
import { composeHint, parseHintSpec } from '../core/catalog/hints.js';
import { loadCalibration } from '../core/calibrate/calibration-file.js';
import { checkTrainShards } from '../core/data/shard-count.js';
import { trackEnvironment } from '../core/data/track-env.js';
import type { BudgetLimits } from '../core/agent/budget.js';
import type { PlannedRun } from '../core/bench/bench-plan.js';
import type { PythonWithTorch } from '../core/exec/python.js';
import type { EventSink } from '../core/events.js';
import { runSearch } from '../core/search/run-engine.js';
import type { RunControl } from '../core/search/run-control.js';
import { makeScaffold } from '../core/search/scaffolds/index.js';
import { taskTimes } from '../core/search/task-times.js';
import { DamagedRunError } from '../core/store/damaged-run.js';
import { readRunFile } from '../core/store/run-store.js';
import type { RunConfig, RunSummary } from '../core/store/schema.js';
import { prepareAgent, type PreparedAgent } from './agent-setup.js';
import type { CliContext } from './context.js';
import type { Execution } from './executor-setup.js';
import { describeHardware } from './hardware.js';

/** What every run of one command shares: the interpreter, the executor and its slots, limits and LLM settings. */
export interface SharedRunSettings {
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

/**
 * Prepares one cell of a bench (agent, hint, data, times, scaffold) and runs its search in `runDir`, resuming
 * what is there. `speedrun run` is a bench of one cell and comes through here too.
 */
export async function runPlanned(ctx: CliContext, shared: SharedRunSettings, run: PlannedRun, runDir: string, prepared?: PreparedAgent): Promise<RunSummary> {
  const manifest = await loadTrack(run.track);
  const cache = ctx.cache();
  const resumed = await recordedConfig(runDir);
  const agent = prepared ?? (await prepareCellAgent(ctx, shared, run, resumed));
  const hintText = await composeHint({ track: manifest.track, record: run.record, levels: parseHintSpec(run.hint), cache });
  if (shared.smoke !== undefined) await showSmokeRewrite(ctx, manifest, run.record, shared.smoke);
  const trackData = await trackEnvironment(manifest, cache, { signal: shared.signal, log: ctx.log });
  await checkTrainShards(manifest, run.record, trackData, shared.smoke !== undefined);
  const times = taskTimes(manifest, run.record, await loadCalibration(cache.calibration(manifest.track)));
  return runSearch({
    runId: run.run_id,
    runDir,
    manifest,
    record: run.record,
    hintSpec: run.hint,
    hintText,
    agent: agent.agent,
    model: agent.model,
    budget: agent.budget,
    scaffold: makeScaffold(run.scaffold, { nodes: shared.nodes }),
    seed: run.seed,
    executor: shared.execution.executorFor(manifest, run.record),
    slots: shared.execution.slots,
    python: shared.python,
    hardware: describeHardware(manifest, shared.python),
    cache,
    trackData,
    times,
    revealTargetTime: revealTargetTime(ctx, shared, agent),
    timeoutMs: shared.timeoutMs,
    wallBudgetMs: shared.wallBudgetMs,
    control: shared.control,
    smoke: shared.smoke,
    checkScript: shared.integrityCheck === false ? null : undefined,
    retime: { mode: shared.retime ?? manifest.retime, repeats: shared.retimeRepeats ?? manifest.retime_repeats },
    signal: shared.signal,
    emit: shared.emit,
  });
}

/**
 * The agent of a cell, with its own budget (every run counts its LLM use from zero). A run being resumed keeps the
 * prompt set it was started with.
 */
export function prepareCellAgent(ctx: CliContext, shared: Pick<SharedRunSettings, 'budget' | 'config' | 'signal'>, run: PlannedRun, resumed?: RunConfig | null): Promise<PreparedAgent> {
  const entry = typeof run.agent === 'string' ? { name: run.agent } : run.agent;
  const promptVersion = resumed?.agent_config.prompt_version;
  return prepareAgent(
    ctx,
    {
      agent: entry.name, model: entry.model, baseUrl: entry.base_url, editFormat: entry.edit_format, replay: entry.replay, config: shared.config,
      ...(typeof promptVersion === 'string' && { promptVersion }),
    },
    shared.budget ?? {},
    shared.signal,
  );
}

/** The config of the run already in `runDir` (a resume), or null for a new run. */
async function recordedConfig(runDir: string): Promise<RunConfig | null> {
  // Read, never created here: a run that fails its preparation leaves no folder behind. A damaged file is the engine's to report.
  const file = await readRunFile(runDir).catch((error: unknown) => {
    if (error instanceof DamagedRunError) return null;
    throw error;
  });
  return file?.config ?? null;
}

/**
 * A replay keeps the setting its recording was made with (the answers were written to those prompts); a resumed
 * run keeps its own (the engine reads it from run.json); otherwise the command's flag.
 */
function revealTargetTime(ctx: CliContext, shared: Pick<SharedRunSettings, 'revealTargetTime'>, agent: PreparedAgent): boolean {
  const wanted = shared.revealTargetTime ?? false;
  if (!agent.recorded) return wanted;
  const recorded = agent.recorded.revealTargetTime;
  if (recorded !== wanted) ctx.log(`note: the replayed run was recorded ${recorded ? 'with' : 'without'} the next record's time in its prompts; the replay keeps that`);
  return recorded;
}

/** Shows what --smoke changes in the record's own script, and refuses before any work if it cannot rewrite it. */
async function showSmokeRewrite(ctx: CliContext, manifest: TrackManifest, record: number, steps: number): Promise<void> {
  const path = await resolveRecordScript(manifest, record, ctx.cache());
  const rewrite = smokeRewrite(await readFile(path, 'utf8'), steps, `record ${record}`);
  ctx.log(`smoke run: every node trains ${steps} steps and is not scored; record ${record}'s script becomes:\n${rewrite.diff}`);
}
