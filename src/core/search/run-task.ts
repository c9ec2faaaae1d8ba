import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import type { Agent } from '../agent/agent.js';
import { getRecord, resolveRecordScript } from '../catalog/catalog.js';
import { sha256Hex } from '../catalog/files.js';
import type { TrackManifest } from '../catalog/schema.js';
import type { Executor } from '../exec/types.js';
import type { PythonWithTorch } from '../exec/python.js';
import { fanOut, type EventSink } from '../events.js';
import type { CacheLayout } from '../paths.js';
import { fsr, fsrFlags } from '../score/fsr.js';
import { RunStore } from '../store/run-store.js';
import type { NodeResult, RunConfig, RunSummary } from '../store/schema.js';
import { executeNode, trackLaunch } from './execute-node.js';
import type { TaskTimes } from './task-times.js';

export interface RunTaskInput {
  manifest: TrackManifest;
  record: number;
  /** The hint spec as given (`none`, `L1`, `L1+L2`, ...) and the text it composes to. */
  hintSpec: string;
  hintText: string;
  agent: Agent;
  executor: Executor;
  python: PythonWithTorch;
  cache: CacheLayout;
  resultsRoot: string;
  /** The track's environment for the script (data locations). */
  trackEnv: Record<string, string>;
  times: TaskTimes;
  timeoutMs?: number;
  signal?: AbortSignal;
  emit?: EventSink;
  now?: () => Date;
}

/**
 * One run: the baseline node (record i, measured by calibration or the record table), one agent proposal
 * trained for real unless it is identical to a script already measured, then the best valid node and its FSR.
 */
export async function runTask(input: RunTaskInput): Promise<RunSummary> {
  const { manifest, record } = input;
  getRecord(manifest, record + 1); // a task needs a next record to aim for
  const now = input.now ?? (() => new Date());
  const runId = makeRunId(now(), manifest.track, record, input.hintSpec, input.agent.name);
  const store = await RunStore.create(input.resultsRoot, runId);
  const emit = fanOut((event) => void store.journal(event), input.emit);

  const config: RunConfig = {
    run_id: runId,
    track: manifest.track,
    record,
    hint: input.hintSpec,
    agent: input.agent.name,
    executor: input.executor.name,
    python: input.python.python,
    torch_version: input.python.torchVersion,
    created_at: now().toISOString(),
  };
  await store.writeRun(config, null);
  await store.writeText('hint.md', input.hintText);
  const { baselineMs, targetMs } = input.times;
  emit({ type: 'run-started', run_id: runId, track: manifest.track, record, hint: input.hintSpec, agent: input.agent.name, baseline_ms: baselineMs, target_ms: targetMs, results_dir: store.dir });

  const nodes: NodeResult[] = [];
  const summarize = (status: RunSummary['status']): RunSummary => {
    const best = bestNode(nodes);
    const score = best ? fsr(baselineMs, targetMs, best.time_to_target_ms) : null;
    return {
      run_id: runId,
      track: manifest.track,
      record,
      hint: input.hintSpec,
      agent: input.agent.name,
      status,
      baseline_ms: baselineMs,
      target_ms: targetMs,
      times_from: input.times.from,
      best: best ? { node: best.node, train_time_ms: best.time_to_target_ms!, val_loss: best.val_loss_at_target } : null,
      fsr: score,
      fsr_flags: score === null ? [] : [...fsrFlags(score), ...timesFlags(input.times, manifest, nodes)],
      results_dir: store.dir,
    };
  };

  try {
    const baselineScript = await readFile(await resolveRecordScript(manifest, record, input.cache), 'utf8');
    nodes.push(await recordBaseline(store, emit, runId, baselineScript, input.times));

    emit({ type: 'node-created', run_id: runId, node: 1, parent: 0, operator: 'draft' });
    const proposal = await input.agent.propose({ manifest, record, parentScript: baselineScript, hint: input.hintText, signal: input.signal });
    const edit = createTwoFilesPatch('node-0/train_gpt.py', 'node-1/train_gpt.py', baselineScript, proposal.script);
    const scriptPath = await store.writeNodeFiles(1, { script: proposal.script, edit });
    const sha = sha256Hex(proposal.script);
    const twin = nodes.find((n) => n.script_sha256 === sha);
    emit({ type: 'edit-applied', run_id: runId, node: 1, ...countChangedLines(edit), duplicate_of: twin?.node ?? null });

    const result: NodeResult = twin
      ? { ...twin, node: 1, parent: 0, operator: 'draft', measured_by: 'duplicate', duplicate_of: twin.node, warnings: [`identical to node ${twin.node}; not trained again`] }
      : await executeNode({
          runId,
          node: 1,
          parent: 0,
          operator: 'draft',
          scriptPath,
          scriptSha256: sha,
          workDir: store.nodeDir(1),
          executor: input.executor,
          launch: trackLaunch(manifest, input.python.python, input.trackEnv, input.timeoutMs),
          targetValLoss: manifest.target_val_loss,
          signal: input.signal,
          emit,
        });
    nodes.push(result);
    await store.writeNodeResult(result);
    emit({ type: 'node-finished', run_id: runId, node: 1, result });

    const summary = summarize(result.status === 'aborted' ? 'aborted' : 'finished');
    await finish(store, config, summary, emit);
    return summary;
  } catch (error) {
    // Whatever was measured before the failure stays on disk with the run marked failed.
    emit({ type: 'error', run_id: runId, message: error instanceof Error ? error.message : String(error) });
    await finish(store, config, summarize('failed'), emit);
    throw error;
  }
}

async function recordBaseline(store: RunStore, emit: EventSink, runId: string, script: string, times: TaskTimes): Promise<NodeResult> {
  emit({ type: 'node-created', run_id: runId, node: 0, parent: null, operator: 'baseline' });
  await store.writeNodeFiles(0, { script, edit: '' });
  const result: NodeResult = {
    node: 0,
    parent: null,
    operator: 'baseline',
    status: 'ok',
    measured_by: times.from,
    duplicate_of: null,
    script_sha256: sha256Hex(script),
    time_to_target_ms: times.baselineMs,
    val_loss_at_target: null,
    final: null,
    wall_ms: null,
    exit_code: null,
    stderr_tail: '',
    warnings: [],
  };
  await store.writeNodeResult(result);
  emit({ type: 'node-finished', run_id: runId, node: 0, result });
  return result;
}

async function finish(store: RunStore, config: RunConfig, summary: RunSummary, emit: EventSink): Promise<void> {
  emit({ type: 'run-finished', run_id: summary.run_id, status: summary.status, fsr: summary.fsr, best: summary.best });
  await store.flush();
  await store.writeRun(config, summary);
}

/** A node trained here but scored against times from other hardware compares unlike with unlike. */
function timesFlags(times: TaskTimes, manifest: TrackManifest, nodes: readonly NodeResult[]): string[] {
  if (times.from !== 'record-table' || !nodes.some((n) => n.measured_by === 'executed')) return [];
  return [
    `t_i and t_i+1 come from the record table (${manifest.reference_hardware}), not this machine; run \`speedrun calibrate --track ${manifest.track}\` for a like-for-like score`,
  ];
}

/** The fastest node that reached the target; the baseline counts, so a run never scores below 0. */
export function bestNode(nodes: readonly NodeResult[]): NodeResult | null {
  let best: NodeResult | null = null;
  for (const node of nodes) {
    if (node.status !== 'ok' || node.time_to_target_ms === null) continue;
    if (!best || node.time_to_target_ms < (best.time_to_target_ms ?? Infinity)) best = node;
  }
  return best;
}

function countChangedLines(patch: string): { lines_added: number; lines_removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of patch.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++')) added++;
    else if (line.startsWith('-') && !line.startsWith('---')) removed++;
  }
  return { lines_added: added, lines_removed: removed };
}

function makeRunId(at: Date, track: string, record: number, hint: string, agent: string): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const safe = (s: string) => s.replace(/[^A-Za-z0-9.+_-]/g, '_');
  return `${stamp}-${track}-r${record}-${safe(hint)}-${safe(agent)}-${randomBytes(2).toString('hex')}`;
}
