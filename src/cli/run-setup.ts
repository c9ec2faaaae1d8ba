import type { PlannedRun } from '../core/bench/bench-plan.js';
import { runPlanned, type PlanEnv } from '../core/plan/run-inputs.js';
import type { RunSettings } from '../core/plan/run-settings.js';
import { DamagedRunError } from '../core/store/damaged-run.js';
import { readRunFile } from '../core/store/run-store.js';
import type { RunConfig, RunSummary } from '../core/store/schema.js';
import { prepareAgent, type PreparedAgent } from './agent-setup.js';
import type { CliContext } from './context.js';

/** What the core planner reads from the command's context. */
export function planEnv(ctx: CliContext): PlanEnv {
  return { cache: ctx.cache(), log: ctx.log };
}

/**
 * Runs one cell of a bench in `runDir` (resuming what is there) through the core planner; the agent is prepared
 * here, at the CLI edge, where config files and API keys are read. `speedrun run` is a bench of one and comes
 * through here too.
 */
export async function startPlannedRun(ctx: CliContext, settings: RunSettings, run: PlannedRun, runDir: string, prepared?: PreparedAgent): Promise<RunSummary> {
  const agent = prepared ?? (await prepareCellAgent(ctx, { ...settings, executor: settings.execution.name }, run, await recordedConfig(runDir)));
  return runPlanned(planEnv(ctx), settings, run, runDir, agent);
}

/**
 * The agent of a cell, with its own budget (every run counts its LLM use from zero). A run being resumed keeps the
 * prompt set it was started with.
 */
export function prepareCellAgent(
  ctx: CliContext,
  shared: Pick<RunSettings, 'budget' | 'config' | 'signal'> & { executor: string },
  run: PlannedRun,
  resumed?: RunConfig | null,
): Promise<PreparedAgent> {
  const entry = typeof run.agent === 'string' ? { name: run.agent } : run.agent;
  const promptVersion = resumed?.agent_config.prompt_version;
  return prepareAgent(
    ctx,
    {
      agent: entry.name,
      model: entry.model,
      baseUrl: entry.base_url,
      editFormat: entry.edit_format,
      replay: entry.replay,
      cmd: entry.cmd,
      cli: entry.cli,
      agentTimeoutS: entry.timeout_s,
      passEnv: entry.env,
      executor: shared.executor,
      image: entry.image,
      config: shared.config,
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
