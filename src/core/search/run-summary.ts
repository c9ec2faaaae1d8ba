import { sumUsage } from '../agent/usage.js';
import type { TrackManifest } from '../catalog/schema.js';
import { fsr, fsrFlags } from '../score/fsr.js';
import type { NodeResult, RunConfig, RunSummary } from '../store/schema.js';
import { bestNode } from './best-node.js';
import type { TaskTimes } from './task-times.js';

/** The run's score from its finished nodes: the fastest valid node (the baseline counts) and its FSR. */
export function summarizeRun(
  config: RunConfig,
  manifest: TrackManifest,
  times: TaskTimes,
  nodes: readonly NodeResult[],
  status: RunSummary['status'],
  extra: { model: string | null; stopReason: string | null; resultsDir: string },
): RunSummary {
  const best = bestNode(nodes);
  // A smoke run trains a few steps only: its times say the installation works, nothing about speed.
  const score = best && !config.smoke ? fsr(times.baselineMs, times.targetMs, best.time_to_target_ms) : null;
  return {
    run_id: config.run_id,
    track: config.track,
    record: config.record,
    hint: config.hint,
    agent: config.agent,
    model: extra.model,
    scaffold: String(config.scaffold.name),
    seed: config.seed,
    status,
    stop_reason: extra.stopReason,
    baseline_ms: times.baselineMs,
    target_ms: times.targetMs,
    times_from: times.from,
    best: best ? { node: best.node, train_time_ms: best.time_to_target_ms!, val_loss: best.val_loss_at_target } : null,
    fsr: score,
    fsr_flags: config.smoke
      ? [`smoke run (${config.smoke} steps per node): not scored`]
      : score === null
        ? []
        : [...fsrFlags(score), ...timesFlags(times, manifest, nodes), ...auditFlags(config)],
    integrity: {
      rejected: nodes.filter((n) => n.status === 'rejected').map((n) => n.node),
      flagged: nodes.filter((n) => n.status !== 'rejected' && n.integrity?.verdict === 'flag').map((n) => n.node),
    },
    nodes: nodes.length,
    usage: sumUsage(nodes.map((n) => n.llm)),
    results_dir: extra.resultsDir,
  };
}

/** A node trained here but scored against times from other hardware compares unlike with unlike. */
function timesFlags(times: TaskTimes, manifest: TrackManifest, nodes: readonly NodeResult[]): string[] {
  if (times.from !== 'record-table' || !nodes.some((n) => n.measured_by === 'executed')) return [];
  return [
    `t_i and t_i+1 come from the record table (${manifest.reference_hardware}), not this machine; run \`speedrun calibrate --track ${manifest.track}\` for a like-for-like score`,
  ];
}

/** A run made without the integrity audit has a score nobody checked for tampering. */
function auditFlags(config: RunConfig): string[] {
  return config.integrity_check === false ? ['the integrity audit was off (--no-integrity-check): node scripts were not checked for tampering'] : [];
}
