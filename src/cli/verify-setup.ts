import { readFile } from 'node:fs/promises';
import { loadTrack, parseTrackName, resolveRecordScript } from '../core/catalog/catalog.js';
import { trackEnvironment } from '../core/data/track-env.js';
import type { PythonWithTorch } from '../core/exec/python.js';
import { formatTime } from '../core/format-time.js';
import { trackLaunch } from '../core/exec/node-job.js';
import { DamagedRunError, formatDamaged, type DamagedRun } from '../core/store/damaged-run.js';
import { findRunFolders } from '../core/store/load-results.js';
import { readRunFile } from '../core/store/run-store.js';
import type { VerificationFile } from '../core/store/verification-file.js';
import { verifyRun } from '../core/verify/verify-run.js';
import type { CliContext } from './context.js';
import { prepareExecution, type Execution } from './executor-setup.js';
import { formatTable } from './format.js';
import { formatFsr } from '../core/score/fsr.js';

export interface VerifySettings {
  repeats: number;
  alpha: number;
  python: PythonWithTorch;
  /** The executor to use; by default each run's own (from its run.json), prepared once per name. */
  execution?: Execution;
  timeoutMs?: number;
  signal: AbortSignal;
}

export interface VerifiedResults {
  files: VerificationFile[];
  /** Runs whose files do not read back: listed, not verified. */
  damaged: DamagedRun[];
}

/**
 * Verifies every finished run under `dir`, one training at a time, logging each repeat on stderr. A run still in
 * progress is skipped; a damaged one is listed and the others are verified.
 */
export async function verifyResults(ctx: CliContext, dir: string, settings: VerifySettings): Promise<VerifiedResults> {
  const folders = await findRunFolders(dir);
  const executions = new Map<string, Execution>();
  const files: VerificationFile[] = [];
  const damaged: DamagedRun[] = [];
  for (const runDir of folders) {
    settings.signal.throwIfAborted();
    try {
      const file = await verifyOne(ctx, runDir, settings, executions);
      if (file) files.push(file);
    } catch (error) {
      if (!(error instanceof DamagedRunError)) throw error;
      ctx.log(`verify: damaged run skipped: ${formatDamaged(error.damage)}`);
      damaged.push(error.damage);
    }
  }
  return { files, damaged };
}

/** Verifies one run folder; null for a run not finished yet. Executors are prepared once per name. */
async function verifyOne(ctx: CliContext, runDir: string, settings: VerifySettings, executions: Map<string, Execution>): Promise<VerificationFile | null> {
  const stored = await readRunFile(runDir);
  if (!stored?.result) {
    ctx.log(`verify ${runDir}: not finished yet, skipped`);
    return null;
  }
  const { config } = stored;
  const cache = ctx.cache();
  const manifest = await loadTrack(parseTrackName(config.track));
  let execution = settings.execution ?? executions.get(config.executor);
  if (!execution) {
    execution = await prepareExecution(ctx, { executor: config.executor });
    executions.set(config.executor, execution);
  }
  const trackData = await trackEnvironment(manifest, cache, { signal: settings.signal, log: ctx.log, records: [config.record] });
  ctx.log(`verify ${config.run_id}: ${settings.repeats} repeats of its best node and of record ${config.record}, interleaved`);
  const file = await verifyRun({
    runDir,
    repeats: settings.repeats,
    alpha: settings.alpha,
    // As the run read its nodes (runs made before tracks declared a rule read first crossings of the track's target).
    timing: { rule: config.timing_rule ?? 'first-crossing', target: config.target_val_loss ?? manifest.target_val_loss },
    baselineScript: await readFile(await resolveRecordScript(manifest, config.record, cache), 'utf8'),
    executor: execution.executorFor(manifest, config.record),
    slots: execution.slots,
    launch: trackLaunch(manifest, settings.python.python, trackData, settings.timeoutMs),
    signal: settings.signal,
    onRepeat: (r) =>
      ctx.log(
        `  ${r.script} repeat ${r.repeat}: ${r.status}, time to target ${formatTime(r.time_to_target_ms)}, final val_loss ${r.final_val_loss?.toFixed(4) ?? '—'}`,
      ),
  });
  ctx.log(`verify ${config.run_id}: ${file.status}${file.reasons.length ? ` (${file.reasons.join('; ')})` : ''}`);
  return file;
}

/** One row per run: claimed against verified score, the node's mean ± sd time next to the baseline's, and the p-value. */
export function formatVerifications(files: readonly VerificationFile[]): string {
  return formatTable(
    ['run', 'node', 'verdict', 'time (mean ± sd)', 'baseline', 'val_loss', 'p', 'FSR claimed', 'FSR verified'],
    files.map((f) => [
      f.run_id,
      f.node === null ? '0' : String(f.node),
      f.status,
      f.node_stats?.mean_time_ms == null ? '—' : `${formatTime(f.node_stats.mean_time_ms)} ± ${formatTime(f.node_stats.sd_time_ms ?? 0)}`,
      formatTime(f.baseline_stats?.mean_time_ms ?? null),
      f.node_stats?.mean_val_loss?.toFixed(4) ?? '—',
      f.node_stats?.p_value == null ? '—' : f.node_stats.p_value.toPrecision(2),
      formatFsr(f.fsr_claimed),
      formatFsr(f.fsr_verified),
    ]),
  );
}
