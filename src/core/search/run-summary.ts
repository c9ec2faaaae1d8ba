import { sumUsage } from '../agent/usage.js';
import type { TrackManifest } from '../catalog/schema.js';
import { fsr, fsrFlags } from '../score/fsr.js';
import type { NodeResult, RunConfig, RunSummary } from '../store/schema.js';
import { flaggedBest, withholdingFlags } from './best-node.js';
import type { RunScore } from './run-score.js';

/**
 * The run's summary from its finished nodes and its score (run-score.ts: the fastest valid node, the baseline
 * included, against the times the run scores with). `pending` says why there is no score yet (the scoring round
 * was stopped before it finished); the run then resumes and scores.
 */
export function summarizeRun(
  config: RunConfig,
  manifest: TrackManifest,
  run: RunScore,
  nodes: readonly NodeResult[],
  status: RunSummary['status'],
  extra: { model: string | null; stopReason: string | null; resultsDir: string; pending?: string },
): RunSummary {
  // A smoke run trains a few steps only: its times say the installation works, nothing about speed.
  const score = config.smoke || extra.pending ? null : run.fsr;
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
    baseline_ms: run.baselineMs,
    target_ms: run.targetMs,
    times_from: run.timesFrom,
    best: run.best,
    fsr: score,
    fsr_flags: config.smoke
      ? [`smoke run (${config.smoke} steps per node): not scored`]
      : extra.pending
        ? [extra.pending]
        : [...(score === null ? [] : [...fsrFlags(score), ...timesFlags(run, manifest, nodes), ...auditFlags(config)]), ...run.flags],
    flagged_best: config.smoke ? null : flaggedSummary(flaggedBest(nodes), run),
    timing_rule: config.timing_rule,
    target_val_loss: config.target_val_loss,
    scoring: run.scoring,
    integrity: {
      rejected: nodes.filter((n) => n.status === 'rejected').map((n) => n.node),
      // A flag that only says the next record makes the same change is no doubt about the node.
      flagged: nodes.filter((n) => n.status !== 'rejected' && withholdingFlags(n).length > 0).map((n) => n.node),
    },
    nodes: nodes.length,
    usage: sumUsage(nodes.map((n) => n.llm)),
    results_dir: extra.resultsDir,
  };
}

/** A node trained here but scored against times from other hardware compares unlike with unlike. */
function timesFlags(run: RunScore, manifest: TrackManifest, nodes: readonly NodeResult[]): string[] {
  if (run.timesFrom === 'run+record-table' && run.best?.node !== 0) {
    return [`t_i+1 is this run's t_i scaled by the record table's ratio t_i+1/t_i (${manifest.reference_hardware}); \`--retime both\` measures it here`];
  }
  if (run.timesFrom !== 'record-table' || !nodes.some((n) => n.measured_by === 'executed')) return [];
  return [
    `t_i and t_i+1 come from the record table (${manifest.reference_hardware}), not this machine; run \`speedrun calibrate --track ${manifest.track}\` or score with \`--retime both\` for a like-for-like score`,
  ];
}

/** A run made without the integrity audit has a score nobody checked for tampering. */
function auditFlags(config: RunConfig): string[] {
  return config.integrity_check === false ? ['the integrity audit was off (--no-integrity-check): node scripts were not checked for tampering'] : [];
}

/** The flagged node faster than the claimed best, scored by its own search time against the run's times. */
function flaggedSummary(node: NodeResult | null, run: RunScore): RunSummary['flagged_best'] {
  if (!node || node.time_to_target_ms === null) return null;
  const score = run.baselineMs > run.targetMs ? fsr(run.baselineMs, run.targetMs, node.time_to_target_ms) : null;
  return { node: node.node, train_time_ms: node.time_to_target_ms, val_loss: node.val_loss_at_target, fsr: score, flags: withholdingFlags(node) };
}
