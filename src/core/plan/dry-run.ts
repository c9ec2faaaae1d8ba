import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { referenceScript } from '../agent/builtin.js';
import type { PlannedRun } from '../bench/bench-plan.js';
import { loadTrack, resolveRecordScript } from '../catalog/catalog.js';
import type { TrackManifest } from '../catalog/schema.js';
import { describeTiming, taskTiming } from '../catalog/task-timing.js';
import { fineWebData, modernFineWebData, trackEnvironment, withRecordKernels, type TrackData } from '../data/track-env.js';
import { UserError } from '../errors.js';
import { nodeJobSpec, trackLaunch, type NodeJobSpec } from '../exec/node-job.js';
import { processCount } from '../exec/process-count.js';
import type { ExecPlan } from '../exec/types.js';
import type { NodeAudit } from '../measure/integrity-report.js';
import type { CacheLayout } from '../paths.js';
import { auditTask, integrityGate, pythonChecker } from '../search/integrity-gate.js';
import { smokeRewrite } from '../smoke/smoke-rewrite.js';
import { trainedScriptPath } from '../smoke/smoke-script.js';
import { nodeDirOf } from '../store/layout.js';
import type { PlanEnv } from './run-inputs.js';
import { retimeFor, type RunSettings } from './run-settings.js';

/** What `speedrun run --dry-run` prints: node 1 as it would be trained, and how. */
export interface DryRun {
  run_id: string;
  track: string;
  record: number;
  agent: string;
  /** Node 1's script against the baseline (empty for the null agent). */
  script_diff: string;
  /** The smoke rewrite of node 1's script, when --smoke is given. */
  smoke_diff: string | null;
  /** Node 1's integrity audit against the task (null when the checker could not run: see notes). */
  audit: NodeAudit | null;
  executor: string;
  /** What the executor would be asked to start for node 1: the very spec a real run hands it. */
  spec: NodeJobSpec;
  plan: ExecPlan;
  /** How the run would read its times and where its score would take them (node 0, the scoring round). */
  scoring: string;
  /** What would stop or change the real run (missing data, no GPUs, no torch). */
  notes: string[];
}

export type DryRunSettings = Pick<RunSettings, 'execution' | 'smoke' | 'timeoutMs' | 'retime' | 'retimeRepeats'> & {
  /** The interpreter a real run would use (when none with torch was found: the caller's stand-in, with a note). */
  python: string;
};

/**
 * Prepares node 1 as the run would (the built-in agents' script; an LLM agent's is written at run time, so the
 * baseline stands in) and asks the executor what it would start, through the functions a real run uses: the
 * launch, the node's folder and script, its job spec. Nothing of the run is created, started or called; what would
 * make the real run fail is listed in notes instead of thrown.
 */
export async function planDryRun(env: PlanEnv, settings: DryRunSettings, run: PlannedRun, runDir: string, notes: string[] = []): Promise<DryRun> {
  const manifest = await loadTrack(run.track);
  const { cache } = env;
  const agent = typeof run.agent === 'string' ? run.agent : run.agent.name;
  const baseline = await readFile(await resolveRecordScript(manifest, run.record, cache), 'utf8');
  const script = agent === 'reference' ? await referenceScript(manifest, run.record, cache) : baseline;
  if (agent !== 'reference' && agent !== 'null') notes.push(`the ${agent} agent writes node 1 at run time; shown with the baseline's script`);
  const smoke = settings.smoke === undefined ? null : smokeRewrite(script, settings.smoke, `node 1`);

  const audit = await auditNode1(manifest, run.record, baseline, script, settings.python, cache, notes);
  const data = await dataFor(env, manifest, run.record, notes);
  if (data.besideScript) notes.push(`kernel files copied beside the script: ${data.besideScript.map((f) => basename(f)).join(', ')}`);
  const gpus = await settings.execution.slots.with(async (slot) => [...slot.gpus]);
  try {
    processCount(manifest, run.record, gpus.length); // the run engine's own refusal, as a note
  } catch (error) {
    notes.push(`gpus: ${messageOf(error)}`);
  }
  const workDir = nodeDirOf(runDir, 1);
  const spec = nodeJobSpec({
    runId: run.run_id,
    node: 1,
    workDir,
    scriptPath: trainedScriptPath(workDir, settings.smoke ?? null),
    launch: trackLaunch(manifest, settings.python, data, settings.timeoutMs),
    gpus,
  });
  const executor = settings.execution.executorFor(manifest, run.record);
  if (!executor.describe) throw new UserError(`the ${executor.name} executor cannot describe what it would run`, 'run without --dry-run');
  return {
    run_id: run.run_id,
    track: run.track,
    record: run.record,
    agent,
    script_diff: script === baseline ? '' : createTwoFilesPatch(`record ${run.record}`, 'node 1', baseline, script),
    smoke_diff: smoke?.diff ?? null,
    audit,
    executor: executor.name,
    spec,
    plan: await executor.describe(spec),
    scoring: scoringNote(manifest, run.record, settings),
    notes,
  };
}

/** The audit the run would make before training node 1: a rejection shows here, before any GPU time is spent. */
async function auditNode1(
  manifest: TrackManifest,
  record: number,
  baseline: string,
  script: string,
  python: string,
  cache: CacheLayout,
  notes: string[],
): Promise<NodeAudit | null> {
  try {
    const gate = integrityGate(await auditTask(manifest, record, baseline, cache), pythonChecker(python));
    const audit = await gate.check(script);
    if (audit.verdict === 'reject') notes.push('audit: node 1 would be rejected by the integrity check and not trained (findings above)');
    return audit;
  } catch (error) {
    notes.push(`audit: ${messageOf(error)}`);
    return null;
  }
}

async function dataFor(env: PlanEnv, manifest: TrackManifest, record: number, notes: string[]): Promise<TrackData> {
  try {
    return await trackEnvironment(manifest, env.cache, { log: env.log, records: [record] });
  } catch (error) {
    notes.push(`data: ${messageOf(error)}`);
    if (manifest.track === 'nanogpt') return fineWebData(env.cache.data('nanogpt'));
    // What the run would be given once the data and kernels are there, less any kernel not fetched yet.
    if (manifest.track !== 'nanogpt-modern') return { env: {}, dirs: [] };
    const data = modernFineWebData(env.cache.data(manifest.track));
    try {
      return await withRecordKernels(data, manifest, env.cache, [record], true);
    } catch (kernelError) {
      if (messageOf(kernelError) !== messageOf(error)) notes.push(`kernels: ${messageOf(kernelError)}`);
      return withRecordKernels(data, manifest, env.cache, [record], false);
    }
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof UserError && error.fix) return `${error.message} (${error.fix})`;
  return error instanceof Error ? error.message : String(error);
}

/** How the real run would read and score its times: the rule at the task's target, and what it would re-time. */
function scoringNote(manifest: TrackManifest, record: number, settings: DryRunSettings): string {
  const timing = `times read at the ${describeTiming(taskTiming(manifest, record))}`;
  if (settings.smoke !== undefined) return `${timing}; a smoke run is never scored`;
  const { mode, repeats: k } = retimeFor(settings, manifest);
  if (mode === 'none') return `${timing}; node 0 (record ${record}) is timed by calibration or the record table (--retime none)`;
  const scripts = mode === 'both' ? `record ${record} and record ${record + 1}` : `record ${record}`;
  return `${timing}; node 0 (record ${record}) trains first, and after the search a scoring round trains the best node, ${scripts} ${k} times each, interleaved (--retime ${mode})`;
}
