import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { loadTrack, resolveRecordScript } from '../core/catalog/catalog.js';
import type { RetimeMode, TrackManifest } from '../core/catalog/schema.js';
import { describeTiming, taskTiming } from '../core/catalog/task-timing.js';
import { fineWebData, trackEnvironment, type TrackData } from '../core/data/track-env.js';
import { UserError } from '../core/errors.js';
import { gpuCounts, processCount } from '../core/exec/process-count.js';
import type { ExecPlan, ExecSpec } from '../core/exec/types.js';
import type { PlannedRun } from '../core/bench/bench-plan.js';
import { SMOKE_SCRIPT } from '../core/smoke/smoke-script.js';
import { smokeRewrite } from '../core/smoke/smoke-rewrite.js';
import { describeFinding, type NodeAudit } from '../core/measure/integrity-report.js';
import type { CacheLayout } from '../core/paths.js';
import { auditTask, integrityGate, pythonChecker } from '../core/search/integrity-gate.js';
import { findPython } from './options.js';
import type { CliContext } from './context.js';
import type { Execution } from './executor-setup.js';

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
  plan: ExecPlan;
  /** How the run would read its times and where its score would take them (node 0, the scoring round). */
  scoring: string;
  /** What would stop or change the real run (missing data, no GPUs, no torch). */
  notes: string[];
}

export interface DryRunInput {
  run: PlannedRun;
  runDir: string;
  execution: Execution;
  python?: string;
  smoke?: number;
  timeoutMs?: number;
  /** --retime / --retime-repeats, when given (default: the track's). */
  retime?: RetimeMode;
  retimeRepeats?: number;
}

/**
 * Prepares node 1 as the run would (the built-in agents' script; an LLM agent's is written at run time, so the
 * baseline stands in) and asks the executor what it would start. Nothing is created, started or called; what
 * would make the real run fail is listed in notes instead of thrown.
 */
export async function planDryRun(ctx: CliContext, input: DryRunInput): Promise<DryRun> {
  const { run } = input;
  const manifest = await loadTrack(run.track);
  const cache = ctx.cache();
  const agent = typeof run.agent === 'string' ? run.agent : run.agent.name;
  const notes: string[] = [];
  const baseline = await readFile(await resolveRecordScript(manifest, run.record, cache), 'utf8');
  const script = agent === 'reference' ? await readFile(await resolveRecordScript(manifest, run.record + 1, cache), 'utf8') : baseline;
  if (agent !== 'reference' && agent !== 'null') notes.push(`the ${agent} agent writes node 1 at run time; shown with the baseline's script`);
  const smoke = input.smoke === undefined ? null : smokeRewrite(script, input.smoke, `node 1`);

  const python = await findPython(ctx, input.python).then(
    (found) => found.python,
    (error: unknown) => {
      notes.push(`python: ${messageOf(error)}`);
      return 'python3';
    },
  );
  const audit = await auditNode1(manifest, run.record, baseline, script, python, cache, notes);
  const data = await dataFor(ctx, manifest, notes);
  const gpus = await input.execution.slots.with(async (slot) => [...slot.gpus]);
  const nodeDir = join(input.runDir, 'nodes', '1');
  const spec: ExecSpec = {
    runId: run.run_id,
    node: 1,
    workDir: nodeDir,
    scriptPath: join(nodeDir, smoke ? SMOKE_SCRIPT : 'train_gpt.py'),
    runner: manifest.launch.runner,
    nproc: nprocFor(manifest, run.record, gpus.length, notes),
    python,
    env: data.env,
    readOnlyDirs: data.dirs,
    gpus,
    timeoutMs: input.timeoutMs ?? manifest.launch.timeout_s * 1000,
  };
  const executor = input.execution.executorFor(manifest, run.record);
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
    plan: await executor.describe(spec),
    scoring: scoringNote(manifest, run.record, input),
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

async function dataFor(ctx: CliContext, manifest: TrackManifest, notes: string[]): Promise<TrackData> {
  try {
    return await trackEnvironment(manifest, ctx.cache(), { log: ctx.log });
  } catch (error) {
    notes.push(`data: ${messageOf(error)}`);
    return manifest.track === 'nanogpt' ? fineWebData(ctx.cache().data('nanogpt')) : { env: {}, dirs: [] };
  }
}

/** The real run refuses a GPU count the record cannot train with; a dry run says so and shows the record's own count. */
function nprocFor(manifest: TrackManifest, record: number, gpus: number, notes: string[]): number {
  try {
    return processCount(manifest, record, gpus);
  } catch (error) {
    notes.push(`gpus: ${messageOf(error)}`);
    return Math.max(...gpuCounts(manifest, record));
  }
}

function messageOf(error: unknown): string {
  if (error instanceof UserError && error.fix) return `${error.message} (${error.fix})`;
  return error instanceof Error ? error.message : String(error);
}

export function formatDryRun(dry: DryRun): string {
  const { plan } = dry;
  const lines = [
    `dry run of ${dry.run_id}: nothing was created or started`,
    `node 1: ${dry.agent} agent on ${dry.track} record ${dry.record}; ${dry.script_diff ? 'its script against the baseline:' : "the baseline's own script"}`,
  ];
  if (dry.script_diff) lines.push(dry.script_diff.trimEnd());
  if (dry.smoke_diff) lines.push('smoke rewrite of node 1 (what trains):', dry.smoke_diff.trimEnd());
  if (dry.audit) {
    lines.push(`audit of node 1: ${dry.audit.verdict}${dry.audit.findings.length === 0 ? ' (no findings)' : ''}`);
    for (const f of dry.audit.findings) lines.push(`  ${describeFinding(f)}`);
  }
  lines.push(`executor: ${dry.executor}`, `command: ${plan.command.map(quote).join(' ')}`, 'environment:');
  for (const [key, value] of Object.entries(plan.env)) lines.push(`  ${key}=${value}`);
  lines.push('folders:');
  for (const m of plan.mounts) lines.push(`  ${m.readOnly ? 'read-only ' : 'writable  '} ${m.host}${m.target === m.host ? '' : ` → ${m.target}`}`);
  lines.push(...plan.details, `scoring: ${dry.scoring}`);
  if (dry.notes.length > 0) lines.push('before a real run:', ...dry.notes.map((n) => `  - ${n}`));
  return `${lines.join('\n')}\n`;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** How the real run would read and score its times: the rule at the task's target, and what it would re-time. */
function scoringNote(manifest: TrackManifest, record: number, input: DryRunInput): string {
  const timing = `times read at the ${describeTiming(taskTiming(manifest, record))}`;
  if (input.smoke !== undefined) return `${timing}; a smoke run is never scored`;
  const mode = input.retime ?? manifest.retime;
  const k = input.retimeRepeats ?? manifest.retime_repeats;
  if (mode === 'none') return `${timing}; node 0 (record ${record}) is timed by calibration or the record table (--retime none)`;
  const scripts = mode === 'both' ? `record ${record} and record ${record + 1}` : `record ${record}`;
  return `${timing}; node 0 (record ${record}) trains first, and after the search a scoring round trains the best node, ${scripts} ${k} times each, interleaved (--retime ${mode})`;
}
