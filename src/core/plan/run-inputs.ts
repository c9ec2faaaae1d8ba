import { readFile } from 'node:fs/promises';
import type { Agent } from '../agent/agent.js';
import type { BudgetLimits } from '../agent/budget.js';
import type { PlannedRun } from '../bench/bench-plan.js';
import { loadCalibration } from '../calibrate/calibration-file.js';
import { loadTrack, resolveRecordScript } from '../catalog/catalog.js';
import { composeHint, parseHintSpec } from '../catalog/hints.js';
import type { TrackManifest } from '../catalog/schema.js';
import { checkTrainShards } from '../data/shard-count.js';
import { trackEnvironment } from '../data/track-env.js';
import type { CacheLayout } from '../paths.js';
import { runSearch, type RunSearchInput } from '../search/run-engine.js';
import { makeScaffold } from '../search/scaffolds/index.js';
import { taskTimes } from '../calibrate/task-times.js';
import { smokeRewrite } from '../smoke/smoke-rewrite.js';
import type { RunSummary } from '../store/schema.js';
import { describeHardware } from './hardware.js';
import { retimeFor, type RunSettings } from './run-settings.js';

/** An agent ready to search: built (and its endpoint checked) by the command that asked for it. */
export interface PlannedAgent {
  agent: Agent;
  /** The model's profile name, for summaries; null for the built-in agents. */
  model: string | null;
  budget: BudgetLimits;
  /** A replay: the recorded run's setting, which the replay keeps (its answers were written to those prompts). */
  recorded?: { revealTargetTime: boolean };
  /** Frees what the agent holds for its run (an exec agent's model proxy) once the run ends. */
  release?: () => Promise<void>;
}

/** What planning reads from its surroundings: the cache folder, and where progress notes go. */
export interface PlanEnv {
  cache: CacheLayout;
  log: (message: string) => void;
}

/**
 * Everything the search engine needs for one cell, from the resolved settings: the track, hint, data, times,
 * scaffold, executor and limits. `run`, `bench`, the demo and the terminal UI all start runs through here.
 */
export async function runInputs(env: PlanEnv, settings: RunSettings, run: PlannedRun, runDir: string, agent: PlannedAgent): Promise<RunSearchInput> {
  const manifest = await loadTrack(run.track);
  const { cache } = env;
  const hintText = await composeHint({ track: manifest.track, record: run.record, levels: parseHintSpec(run.hint), cache });
  if (settings.smoke !== undefined) await showSmokeRewrite(env, manifest, run.record, settings.smoke);
  // A simulated training reads no data: capacity planning needs neither shards nor their download.
  const simulated = settings.execution.name === 'sim';
  const trackData = simulated
    ? { env: {}, dirs: [] }
    : await trackEnvironment(manifest, cache, { signal: settings.signal, log: env.log, records: [run.record] });
  if (!simulated) await checkTrainShards(manifest, run.record, trackData, settings.smoke !== undefined);
  const times = taskTimes(manifest, run.record, await loadCalibration(cache.calibration(manifest.track)));
  return {
    runId: run.run_id,
    runDir,
    manifest,
    record: run.record,
    hintSpec: run.hint,
    hintText,
    agent: agent.agent,
    model: agent.model,
    budget: agent.budget,
    scaffold: makeScaffold(run.scaffold, { nodes: settings.nodes }),
    seed: run.seed,
    executor: settings.execution.executorFor(manifest, run.record),
    slots: settings.execution.slots,
    python: settings.python,
    hardware: describeHardware(manifest, settings.python),
    cache,
    trackData,
    times,
    revealTargetTime: revealTargetTime(env, settings, agent),
    timeoutMs: settings.timeoutMs,
    wallBudgetMs: settings.wallBudgetMs,
    control: settings.control,
    smoke: settings.smoke,
    checkScript: settings.integrityCheck === false ? null : undefined,
    retime: retimeFor(settings, manifest),
    ...(run.start && { chain: { start: run.start.chain, script: run.start.path === null ? null : await readFile(run.start.path, 'utf8') } }),
    signal: settings.signal,
    emit: settings.emit,
  };
}

/** Plans one cell and runs its search in `runDir`, resuming what is there. */
export async function runPlanned(env: PlanEnv, settings: RunSettings, run: PlannedRun, runDir: string, agent: PlannedAgent): Promise<RunSummary> {
  try {
    return await runSearch(await runInputs(env, settings, run, runDir, agent));
  } finally {
    await agent.release?.();
  }
}

/**
 * A replay keeps the setting its recording was made with (the answers were written to those prompts); a resumed
 * run keeps its own (the engine reads it from run.json); otherwise the command's flag.
 */
function revealTargetTime(env: PlanEnv, settings: Pick<RunSettings, 'revealTargetTime'>, agent: PlannedAgent): boolean {
  const wanted = settings.revealTargetTime ?? false;
  if (!agent.recorded) return wanted;
  const recorded = agent.recorded.revealTargetTime;
  if (recorded !== wanted)
    env.log(`note: the replayed run was recorded ${recorded ? 'with' : 'without'} the next record's time in its prompts; the replay keeps that`);
  return recorded;
}

/** Shows what --smoke changes in the record's own script, and refuses before any work if it cannot rewrite it. */
async function showSmokeRewrite(env: PlanEnv, manifest: TrackManifest, record: number, steps: number): Promise<void> {
  const path = await resolveRecordScript(manifest, record, env.cache);
  const rewrite = smokeRewrite(await readFile(path, 'utf8'), steps, `record ${record}`);
  env.log(`smoke run: every node trains ${steps} steps and is not scored; record ${record}'s script becomes:\n${rewrite.diff}`);
}
