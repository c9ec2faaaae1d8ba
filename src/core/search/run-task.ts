import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { Agent } from '../agent/agent.js';
import { BudgetExhaustedError } from '../agent/budget.js';
import { sumUsage } from '../agent/usage.js';
import { getRecord, resolveRecordScript } from '../catalog/catalog.js';
import { sha256Hex } from '../catalog/files.js';
import type { TrackManifest } from '../catalog/schema.js';
import type { Executor } from '../exec/types.js';
import type { PythonWithTorch } from '../exec/python.js';
import { fanOut, type EventSink } from '../events.js';
import type { CacheLayout } from '../paths.js';
import { fsr, fsrFlags } from '../score/fsr.js';
import { nodeResult } from '../store/node-result.js';
import { RunStore } from '../store/run-store.js';
import type { NodeResult, RunConfig, RunSummary } from '../store/schema.js';
import { runAgentNode, type AgentNodeContext, type KnownNode } from './agent-node.js';
import { bestNode } from './best-node.js';
import { trackLaunch } from './execute-node.js';
import { nextStep } from './sequential-policy.js';
import type { TaskTimes } from './task-times.js';

export interface RunTaskInput {
  manifest: TrackManifest;
  record: number;
  /** The hint spec as given (`none`, `L1`, `L1+L2`, ...) and the text it composes to. */
  hintSpec: string;
  hintText: string;
  agent: Agent;
  /** The model behind an LLM agent, for the summary; null for built-in agents. */
  model?: string | null;
  /** The agent's budget limits as configured, recorded with the run. */
  budget?: Record<string, number>;
  /** How many nodes the agent writes (the baseline not counted). */
  maxNodes?: number;
  executor: Executor;
  python: PythonWithTorch;
  /** The machine the scripts run on, in words, for the agent's prompt. */
  hardware: string;
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
 * One run: the baseline node (record i, timed by calibration or the record table), then up to maxNodes agent nodes
 * (draft, then improve the best or debug the last failure), each trained unless identical to a script already
 * measured; then the best valid node and its FSR. The run ends early when the agent's LLM budget runs out.
 */
export async function runTask(input: RunTaskInput): Promise<RunSummary> {
  const { manifest, record } = input;
  getRecord(manifest, record + 1); // a task needs a next record to aim for
  const now = input.now ?? (() => new Date());
  const maxNodes = input.maxNodes ?? 1;
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
    agent_config: input.agent.describe(),
    budget: input.budget ?? {},
    max_nodes: maxNodes,
    created_at: now().toISOString(),
  };
  await store.writeRun(config, null);
  await store.writeText('hint.md', input.hintText);
  const { baselineMs, targetMs } = input.times;
  emit({ type: 'run-started', run_id: runId, track: manifest.track, record, hint: input.hintSpec, agent: input.agent.name, baseline_ms: baselineMs, target_ms: targetMs, results_dir: store.dir });

  const known = new Map<number, KnownNode>();
  const nodes = () => [...known.values()].map((k) => k.result);
  const summarize = (status: RunSummary['status']): RunSummary => {
    const best = bestNode(nodes());
    const score = best ? fsr(baselineMs, targetMs, best.time_to_target_ms) : null;
    return {
      run_id: runId,
      track: manifest.track,
      record,
      hint: input.hintSpec,
      agent: input.agent.name,
      model: input.model ?? null,
      status,
      baseline_ms: baselineMs,
      target_ms: targetMs,
      times_from: input.times.from,
      best: best ? { node: best.node, train_time_ms: best.time_to_target_ms!, val_loss: best.val_loss_at_target } : null,
      fsr: score,
      fsr_flags: score === null ? [] : [...fsrFlags(score), ...timesFlags(input.times, manifest, nodes())],
      usage: sumUsage(nodes().map((n) => n.llm)),
      results_dir: store.dir,
    };
  };

  try {
    const baselineScript = await readFile(await resolveRecordScript(manifest, record, input.cache), 'utf8');
    const baseline = await recordBaseline(store, emit, runId, baselineScript, input.times);
    known.set(0, { result: baseline, script: baselineScript, note: null, analysis: null });

    const ctx: AgentNodeContext = {
      runId,
      store,
      emit,
      manifest,
      record,
      agent: input.agent,
      executor: input.executor,
      launch: trackLaunch(manifest, input.python.python, input.trackEnv, input.timeoutMs),
      hintText: input.hintText,
      hardware: input.hardware,
      times: input.times,
      known,
      signal: input.signal,
    };
    let status: RunSummary['status'] = 'finished';
    for (let node = 1; node <= maxNodes; node++) {
      const step = nextStep(nodes());
      try {
        input.agent.checkBudget?.();
        const result = await runAgentNode(ctx, node, step.operator, step.parent);
        if (result.status === 'aborted') {
          status = 'aborted';
          break;
        }
      } catch (error) {
        if (!(error instanceof BudgetExhaustedError)) throw error;
        emit({ type: 'error', run_id: runId, node, message: `${error.message}; the run ends with the nodes it has` });
        status = 'budget-exhausted';
        break;
      }
      if (input.signal?.aborted) {
        status = 'aborted';
        break;
      }
    }
    const summary = summarize(status);
    await finish(store, config, summary, emit);
    return summary;
  } catch (error) {
    // Whatever was measured before the failure stays on disk. A stop by the user is an aborted run, not a failure.
    if (input.signal?.aborted) {
      const summary = summarize('aborted');
      await finish(store, config, summary, emit);
      return summary;
    }
    emit({ type: 'error', run_id: runId, message: error instanceof Error ? error.message : String(error) });
    await finish(store, config, summarize('failed'), emit);
    throw error;
  }
}

async function recordBaseline(store: RunStore, emit: EventSink, runId: string, script: string, times: TaskTimes): Promise<NodeResult> {
  emit({ type: 'node-created', run_id: runId, node: 0, parent: null, operator: 'baseline' });
  await store.writeNodeFiles(0, { script, edit: '' });
  const result = nodeResult({
    node: 0,
    parent: null,
    operator: 'baseline',
    status: 'ok',
    measured_by: times.from,
    script_sha256: sha256Hex(script),
    time_to_target_ms: times.baselineMs,
  });
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

function makeRunId(at: Date, track: string, record: number, hint: string, agent: string): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const safe = (s: string) => s.replace(/[^A-Za-z0-9.+_-]/g, '_');
  return `${stamp}-${track}-r${record}-${safe(hint)}-${safe(agent)}-${randomBytes(2).toString('hex')}`;
}
