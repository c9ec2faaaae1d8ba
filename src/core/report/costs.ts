import { isScored } from '../score/per-hint.js';
import { BUGGY_STATUSES } from '../store/schema.js';
import { ROUND_FOLDER } from '../store/layout.js';
import type { Configurations } from './configurations.js';
import { groupBy } from './groups.js';
import { modelOf, type ReportRun } from './runs.js';
import type { CostRow, RunReproduction, RunRow } from './schema.js';

const MS_PER_HOUR = 3_600_000;

/**
 * Wall-clock hours of what this run trained: its nodes (calibrated, record-table and duplicate nodes cost nothing
 * here) and its scoring round (README "Timing and scoring").
 */
function computeHours(run: ReportRun): number {
  let ms = 0;
  for (const node of run.nodes) if (node.measured_by === 'executed' && node.wall_ms !== null) ms += node.wall_ms;
  for (const r of roundRuns(run)) ms += r.wall_ms ?? 0;
  return ms / MS_PER_HOUR;
}

/** The scoring round's own trainings (the search's measurements that a score may cite are counted as nodes). */
function roundRuns(run: ReportRun) {
  const s = run.summary.scoring;
  if (!s) return [];
  return [...s.baseline.runs, ...s.next.runs, ...(s.best?.runs ?? [])].filter((r) => r.dir.startsWith(`${ROUND_FOLDER}/`));
}

function gpuHours(run: ReportRun): number | null {
  return run.gpusPerNode === null ? null : computeHours(run) * run.gpusPerNode;
}

/** Tokens, dollars and GPU-hours per configuration, and per unit of FSR recovered (the price of progress). */
export function costTable(runs: readonly ReportRun[], configs: Configurations): CostRow[] {
  const groups = groupBy(runs, configs.labelOf);
  return configs.list.map((config) => {
    const group = groups.get(config.label) ?? [];
    let calls = 0;
    let prompt = 0;
    let completion = 0;
    let usd: number | null = 0;
    let compute = 0;
    let gpu: number | null = 0;
    for (const run of group) {
      const u = run.summary.usage;
      calls += u.llm_calls;
      prompt += u.prompt_tokens;
      completion += u.completion_tokens;
      usd = usd === null || u.cost_usd === null ? null : usd + u.cost_usd;
      compute += computeHours(run);
      const g = gpuHours(run);
      gpu = gpu === null || g === null ? null : gpu + g;
    }
    const fsrTotal = group.filter(isScored).reduce((s, r) => s + (r.summary.fsr as number), 0);
    const per = (value: number | null) => (value === null || fsrTotal <= 0 ? null : value / fsrTotal);
    return {
      configuration: config.label,
      runs: group.length,
      llm_calls: calls,
      prompt_tokens: prompt,
      completion_tokens: completion,
      cost_usd: usd,
      compute_hours: compute,
      gpu_hours: gpu,
      fsr_total: fsrTotal,
      tokens_per_fsr: per(prompt + completion),
      usd_per_fsr: per(usd),
      gpu_hours_per_fsr: per(gpu),
    };
  });
}

/** One row per run: runs.csv and the JSON's run list. */
export function runRows(runs: readonly ReportRun[], reproductionOf: (run: ReportRun) => RunReproduction): RunRow[] {
  return runs.map((run) => {
    const s = run.summary;
    return {
      run_id: s.run_id,
      track: s.track,
      record: s.record,
      hint: s.hint,
      agent: s.agent,
      model: modelOf(run),
      scaffold: s.scaffold,
      seed: s.seed,
      status: s.status,
      scored: isScored(run),
      fsr: s.fsr,
      best_node: s.best?.node ?? null,
      best_ms: s.best?.train_time_ms ?? null,
      baseline_ms: s.baseline_ms,
      target_ms: s.target_ms,
      times_from: s.times_from,
      timing_rule: s.timing_rule ?? run.config?.timing_rule ?? null,
      target_val_loss: s.target_val_loss ?? run.config?.target_val_loss ?? null,
      retime: s.scoring?.retime ?? run.config?.retime ?? 'none',
      nodes: s.nodes,
      buggy_nodes: run.nodes.filter((n) => n.operator !== 'baseline' && BUGGY_STATUSES.includes(n.status)).length,
      prompt_tokens: s.usage.prompt_tokens,
      completion_tokens: s.usage.completion_tokens,
      cost_usd: s.usage.cost_usd,
      compute_hours: computeHours(run),
      gpu_hours: gpuHours(run),
      integrity: run.integrity.status,
      integrity_notes: run.integrity.notes.join('; '),
      ...reproductionOf(run),
      judge_score: run.judge?.score ?? null,
      judge_model: run.judge?.model ?? null,
      idea_entropy: run.ideas?.entropy_bits ?? null,
      idea_drafts: run.ideas?.first_k.length ?? null,
    };
  });
}
