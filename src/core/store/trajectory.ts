import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../fs-atomic.js';
import { packageRoot } from '../paths.js';
import { readStoreJson } from './damaged-run.js';
import { HINT_FILE, NODE_FILES, nodeDirOf, RUN_FILE, TRAJECTORY_FILE } from './layout.js';
import { nodeIds, readNodeResult } from './run-store.js';
import { NodeMeta, ProposalRecord, RunSummary, type NodeResult } from './schema.js';
import { callSteps, isoTime, readRecordedCalls, type RecordedCall, type StepDraft } from './trajectory-calls.js';
import { ATIF_VERSION, AtifTrajectory } from './trajectory-schema.js';

/**
 * run.json as the trajectory reads it: loosely, so a run of an older version (whose config no longer parses) still
 * gets its trajectory; only the summary, when there is one, must read.
 */
const RunHead = z.object({
  config: z
    .looseObject({
      run_id: z.string(),
      track: z.string(),
      record: z.number(),
      hint: z.string(),
      agent: z.string(),
      executor: z.string(),
      scaffold: z.record(z.string(), z.unknown()),
      seed: z.number(),
      agent_config: z.record(z.string(), z.unknown()),
      target_val_loss: z.number(),
    })
    .partial(),
  result: RunSummary.nullable().default(null),
});

/**
 * A run folder as one ATIF trajectory (README "Results"): the task first, then node by node every LLM call (its
 * messages, reasoning, tool calls, tokens and cost) and the node's measured outcome as an observation. Reads the
 * folder as it is, finished or not; throws DamagedRunError when run.json or a node file does not read back.
 */
export async function buildTrajectory(runDir: string, known?: KnownRun): Promise<AtifTrajectory> {
  const { config, summary, nodes } = known ?? (await readRun(runDir));
  const steps: StepDraft[] = [taskStep(config, readHint(runDir))];
  const allCalls: RecordedCall[] = [];
  let unreadable = 0;
  for (const { meta, result, note } of nodes) {
    const read = readRecordedCalls(runDir, meta.node);
    unreadable += read.unreadable;
    allCalls.push(...read.calls);
    // The log analysis of a node reads its training log: it comes after the outcome, the proposal's calls before.
    const after = read.calls.filter((c) => c.purpose === 'summarize');
    steps.push(...callSteps(read.calls.filter((c) => c.purpose !== 'summarize')));
    if (result) steps.push(outcomeStep(result, meta, note));
    steps.push(...callSteps(after));
  }
  const model = summary?.model ?? (typeof config.agent_config?.model === 'string' ? config.agent_config.model : undefined);
  const priced = allCalls.filter((c) => c.cost_usd !== null);
  const trajectory = {
    schema_version: ATIF_VERSION,
    session_id: summary?.run_id ?? config.run_id ?? basename(runDir),
    agent: {
      name: `speedrun/${summary?.agent ?? config.agent ?? 'unknown'}`,
      version: speedrunVersion(),
      ...(model && { model_name: model }),
      extra: { harness: 'speedrun', agent: summary?.agent ?? config.agent ?? null, agent_config: config.agent_config ?? null },
    },
    steps: steps.map((step, i) => ({ step_id: i + 1, ...step })),
    notes:
      'One run of the speedrun harness. Steps go node by node (nodes/<n>/ of the run folder): the messages of each LLM call, its answer as an ' +
      "agent step with the call's tokens and cost, and a system step whose observation is the node's measured outcome.",
    final_metrics: {
      total_prompt_tokens: sum(allCalls, (c) => c.usage?.prompt_tokens ?? 0),
      total_completion_tokens: sum(allCalls, (c) => c.usage?.completion_tokens ?? 0),
      ...(allCalls.some((c) => c.usage?.cached_tokens !== undefined) && { total_cached_tokens: sum(allCalls, (c) => c.usage?.cached_tokens ?? 0) }),
      ...(priced.length > 0 && { total_cost_usd: sum(priced, (c) => c.cost_usd ?? 0) }),
      total_steps: steps.length,
      extra: { llm_calls: allCalls.length, unpriced_calls: allCalls.length - priced.length, unreadable_call_lines: unreadable },
    },
    extra: runExtra(config, summary),
  };
  return AtifTrajectory.parse(trajectory);
}

/**
 * What the engine holds of a finished run, so the trajectory it writes at the end reads only the LLM calls from
 * disk (at the paper's scale reading every node's files back cost as much as a node's own writes).
 */
export interface KnownRun {
  config: RunConfigHead;
  summary: RunSummary | null;
  nodes: Array<{ meta: NodeMeta; result: NodeResult | null; note: string | null }>;
}

/** The run folder's own files as the trajectory needs them; throws DamagedRunError for a file that does not read. */
async function readRun(runDir: string): Promise<KnownRun> {
  const head = await readStoreJson(runDir, join(runDir, RUN_FILE), RunHead);
  if (!head) throw new Error(`no ${RUN_FILE} in ${runDir}: not a run folder`);
  const nodes: KnownRun['nodes'] = [];
  for (const node of await nodeIds(runDir)) {
    const meta = (await readStoreJson(runDir, join(nodeDirOf(runDir, node), NODE_FILES.meta), NodeMeta)) ?? { ...placeless(node) };
    const proposal = await readStoreJson(runDir, join(nodeDirOf(runDir, node), NODE_FILES.proposal), ProposalRecord);
    nodes.push({ meta, result: await readNodeResult(runDir, node), note: proposal?.note ?? null });
  }
  return { config: head.config, summary: head.result, nodes };
}

/** A node folder from before its decision was written: all the trajectory needs of it is its id. */
function placeless(node: number): NodeMeta {
  return { node, parent: null, second_parent: null, operator: 'draft', by: 'agent' };
}

/** Writes trajectory.json into the run folder (atomically: a reader never sees half a file); returns its path. */
export async function writeTrajectory(runDir: string, known?: KnownRun): Promise<string> {
  const path = join(runDir, TRAJECTORY_FILE);
  await writeJsonAtomic(path, await buildTrajectory(runDir, known));
  return path;
}

type RunConfigHead = z.infer<typeof RunHead>['config'];

/** The task as the run states it: a user step, the one every trajectory has even before any node. */
function taskStep(config: RunConfigHead, hint: string | null): StepDraft {
  const target = config.target_val_loss === undefined ? '' : ` (${config.target_val_loss})`;
  const task =
    config.track && config.record
      ? `Make record ${config.record} of the ${config.track} track train to its target val loss${target} in less time`
      : 'Speedrun task';
  return { source: 'user', message: hint ? `${task}.\n\n${hint}` : `${task}.`, extra: { speedrun: 'task', hint_level: config.hint ?? null } };
}

function readHint(runDir: string): string | null {
  try {
    return readFileSync(join(runDir, HINT_FILE), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** A node's measured outcome: a short line for a reader and the figures as the observation's content. */
function outcomeStep(result: NodeResult, meta: NodeMeta, note: string | null): StepDraft {
  const outcome = {
    node: result.node,
    parent: result.parent,
    operator: result.operator,
    by: meta.by,
    status: result.status,
    measured_by: result.measured_by,
    time_to_target_ms: result.time_to_target_ms,
    val_loss: result.final?.val_loss ?? null,
    val_loss_at_target: result.val_loss_at_target,
    integrity: result.integrity ? { verdict: result.integrity.verdict, rules: result.integrity.findings.map((f) => f.rule) } : null,
    note: note ?? result.note,
    error: result.error,
  };
  const of = result.parent === null ? '' : ` (${result.operator} of node ${result.parent})`;
  const time = result.time_to_target_ms === null ? 'target not reached' : `time to target ${(result.time_to_target_ms / 1000).toFixed(1)} s`;
  const verdict = result.integrity ? `, integrity ${result.integrity.verdict}` : '';
  return {
    source: 'system',
    ...(isoTime(result.ended_at) && { timestamp: result.ended_at }),
    message: `node ${result.node}${of}: ${result.status}, ${time}${verdict}`,
    observation: { results: [{ content: JSON.stringify(outcome) }] },
    extra: { speedrun: 'node-outcome', ...outcome },
  };
}

function runExtra(config: RunConfigHead, summary: RunSummary | null): Record<string, unknown> {
  return {
    track: config.track ?? summary?.track ?? null,
    record: config.record ?? summary?.record ?? null,
    hint: config.hint ?? summary?.hint ?? null,
    executor: config.executor ?? null,
    scaffold: config.scaffold ?? summary?.scaffold ?? null,
    seed: config.seed ?? summary?.seed ?? null,
    status: summary?.status ?? 'unfinished',
    fsr: summary?.fsr ?? null,
    best: summary?.best ?? null,
    nodes: summary?.nodes ?? null,
  };
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  return items.reduce((total, item) => total + of(item), 0);
}

let version: string | undefined;
/** speedrun's own version (package.json), the trajectory's agent version. */
function speedrunVersion(): string {
  version ??= z.object({ version: z.string() }).parse(JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'))).version;
  return version;
}
