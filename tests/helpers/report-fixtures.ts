import { join } from 'node:path';
import { writeJsonAtomic } from '../../src/core/fs-atomic.js';
import type { ReportRun } from '../../src/core/report/runs.js';
import { fsr } from '../../src/core/score/fsr.js';
import { seededRandom } from '../../src/core/score/stats.js';
import { bestNode } from '../../src/core/search/best-node.js';
import type { StoredRun } from '../../src/core/store/load-results.js';
import { nodeResult } from '../../src/core/store/node-result.js';
import { RunStore } from '../../src/core/store/run-store.js';
import { NodeResult, RunConfig, RunSummary, type NodeStatus } from '../../src/core/store/schema.js';

export interface RunSpec {
  record: number;
  hint: string;
  model?: string | null;
  scaffold?: string;
  seed?: number;
  status?: RunSummary['status'];
  /** Agent nodes in order: a time in ms (reached the target: status ok), or a failure status. */
  nodes: Array<number | NodeStatus>;
  baselineMs?: number;
  targetMs?: number;
  costUsd?: number | null;
  tokens?: number;
  /** Wall time of each executed node. */
  wallMs?: number;
}

/**
 * A stored run made the way the engine makes one: node results through nodeResult, the summary's best node and FSR
 * through bestNode and fsr, everything parsed by the store's schemas, so the report reads what real runs hold.
 */
export function syntheticRun(spec: RunSpec): StoredRun {
  const baselineMs = spec.baselineMs ?? 100_000;
  const targetMs = spec.targetMs ?? 60_000;
  const seed = spec.seed ?? 1;
  const perNodeTokens = spec.tokens ?? 1000;
  const nodes: NodeResult[] = [
    nodeResult({ node: 0, parent: null, operator: 'baseline', status: 'ok', measured_by: 'record-table', time_to_target_ms: baselineMs }),
    ...spec.nodes.map((n, i) =>
      nodeResult({
        node: i + 1,
        parent: 0,
        operator: 'draft',
        status: typeof n === 'number' ? 'ok' : n,
        measured_by: 'executed',
        time_to_target_ms: typeof n === 'number' ? n : null,
        wall_ms: spec.wallMs ?? 3_600_000,
        llm: { llm_calls: 1, prompt_tokens: perNodeTokens, completion_tokens: 0, cost_usd: spec.costUsd === null ? null : (spec.costUsd ?? 0.5) },
      }),
    ),
  ].map((n) => NodeResult.parse(n));
  const best = bestNode(nodes);
  const agentNodes = spec.nodes.length;
  const summary = RunSummary.parse({
    run_id: `${spec.hint}-${spec.model ?? 'reference'}-${spec.scaffold ?? 'flat'}-r${spec.record}-s${seed}`,
    track: 'tiny',
    record: spec.record,
    hint: spec.hint,
    agent: spec.model ? 'llm' : 'reference',
    model: spec.model ?? null,
    scaffold: spec.scaffold ?? 'flat',
    seed,
    status: spec.status ?? 'finished',
    stop_reason: null,
    baseline_ms: baselineMs,
    target_ms: targetMs,
    times_from: 'calibration',
    best: best ? { node: best.node, train_time_ms: best.time_to_target_ms!, val_loss: null } : null,
    fsr: best ? fsr(baselineMs, targetMs, best.time_to_target_ms) : null,
    fsr_flags: [],
    nodes: nodes.length,
    usage: {
      llm_calls: agentNodes,
      prompt_tokens: agentNodes * perNodeTokens,
      completion_tokens: 0,
      cost_usd: spec.costUsd === null ? null : agentNodes * (spec.costUsd ?? 0.5),
    },
    results_dir: '.',
  });
  return { summary, nodes };
}

/** A report run as loadReportRuns would return it for a run with no verification files. */
export function reportRun(spec: RunSpec, gpusPerNode: number | null = 1): ReportRun {
  return { ...syntheticRun(spec), integrity: { status: 'unverified', notes: ['no verification.json beside run.json'] }, gpusPerNode };
}

/** Writes a run's folder through RunStore (run.json with config and result, nodes/<n>/result.json). */
export async function writeRunFolder(parent: string, run: StoredRun): Promise<string> {
  const dir = join(parent, run.summary.run_id);
  const store = await RunStore.open(dir);
  const s = run.summary;
  const config = RunConfig.parse({
    run_id: s.run_id,
    track: s.track,
    record: s.record,
    hint: s.hint,
    agent: s.agent,
    executor: 'local',
    python: null,
    torch_version: null,
    agent_config: s.model ? { model: s.model } : {},
    budget: {},
    scaffold: { name: s.scaffold },
    seed: s.seed,
    created_at: '2025-01-01T00:00:00.000Z',
  });
  await store.writeRun(config, { ...s, results_dir: dir });
  for (const node of run.nodes) await store.writeNodeResult(node);
  return dir;
}

/** A bench.json beside run folders, so the report finds how many GPUs each node used. */
export async function writeBenchManifest(dir: string, gpusPerRun: number | null): Promise<void> {
  const spec = {
    tracks: ['tiny'],
    records: '1-3',
    hints: ['none'],
    agents: ['reference'],
    scaffolds: ['flat'],
    seeds: 1,
    executor: 'local',
    slots: 1,
    parallel: 1,
  };
  await writeJsonAtomic(join(dir, 'bench.json'), {
    version: 1,
    created_at: '2025-01-01T00:00:00.000Z',
    spec: gpusPerRun === null ? spec : { ...spec, gpus: '0-7', gpus_per_run: gpusPerRun },
    run_ids: [],
  });
}

/** A bench of 3 hints × 2 models × 3 records × `seeds` seeds with noisy node times, written through the store. */
export async function syntheticBench(dir: string, seeds: number): Promise<void> {
  await writeBenchManifest(dir, null);
  const random = seededRandom(5);
  for (const [h, hint] of ['none', 'L1', 'L1+L2'].entries()) {
    for (const model of ['model-a', 'model-b']) {
      for (const record of [1, 2, 3]) {
        for (let seed = 1; seed <= seeds; seed++) {
          const nodes = Array.from({ length: 4 }, () => (random() < 0.3 ? ('crashed' as const) : Math.round(100_000 - random() * 15_000 * (h + 1))));
          await writeRunFolder(dir, syntheticRun({ hint, model, record, seed, nodes }));
        }
      }
    }
  }
}
