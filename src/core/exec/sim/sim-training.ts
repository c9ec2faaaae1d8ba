/**
 * What a simulated training does with a script: how long it "trains" and whether it crashes. No process runs;
 * the answer depends only on the script's text, the task's record table and the node's folder, so a resumed or
 * repeated simulation is reproducible.
 *
 * The mapping is deliberately simple (README "Executors", `sim`):
 * - a script identical to record j's (same sha256 as the manifest) trains like record j: time_ms ± time_sd_ms;
 * - a script with a line `# speedrun-sim: speedup=F` trains in F × the task's baseline record time (± its sd);
 * - a script with a line `# speedrun-sim: crash` exits 1 after a quarter of the baseline time;
 * - anything else trains like the task's baseline record, with its noise.
 */
import { createHash } from 'node:crypto';
import type { RecordEntry, TrackManifest } from '../../catalog/schema.js';

export interface SimTraining {
  /** Simulated training time, script clock (ms). */
  timeMs: number;
  crash: boolean;
  /** Which rule chose the time, for the log. */
  like: string;
}

const MARKER = /^#\s*speedrun-sim:\s*(.+)$/gm;
/** Without a measured sd, runs of one script spread by about 1 % (the spread of re-timed upstream records). */
const DEFAULT_SD_FRACTION = 0.01;

export function simTraining(manifest: TrackManifest, baselineRecord: number, script: string, seedKey: string): SimTraining {
  const sha = createHash('sha256').update(script).digest('hex');
  const baseline = manifest.records.find((r) => r.number === baselineRecord);
  if (!baseline) throw new Error(`track ${manifest.track} has no record ${baselineRecord}`);
  const z = normalFrom(`${sha}:${seedKey}`);
  const same = manifest.records.find((r) => r.script.sha256 === sha);
  if (same) return { timeMs: noisy(same.time_ms, sdOf(same), z), crash: false, like: `record ${same.number} (identical script)` };
  // The last marker counts (an edit appends its own below its parent's).
  const marker = [...script.matchAll(MARKER)].at(-1)?.[1]?.trim() ?? '';
  if (marker === 'crash') return { timeMs: baseline.time_ms / 4, crash: true, like: 'a crash' };
  const speedup = /^speedup=([0-9.]+)$/.exec(marker);
  if (speedup) {
    const factor = Number(speedup[1]);
    if (Number.isFinite(factor) && factor > 0)
      return { timeMs: noisy(baseline.time_ms * factor, sdOf(baseline) * factor, z), crash: false, like: `record ${baseline.number} × ${factor}` };
  }
  return { timeMs: noisy(baseline.time_ms, sdOf(baseline), z), crash: false, like: `record ${baseline.number} (baseline)` };
}

function sdOf(record: RecordEntry): number {
  return record.time_sd_ms ?? record.time_ms * DEFAULT_SD_FRACTION;
}

function noisy(mean: number, sd: number, z: number): number {
  return Math.max(1, Math.round(mean + sd * z));
}

/** A standard normal draw determined by `key` (Box–Muller on two hash-derived uniforms). */
function normalFrom(key: string): number {
  const digest = createHash('sha256').update(key).digest();
  const u1 = (digest.readUInt32BE(0) + 1) / 2 ** 32;
  const u2 = digest.readUInt32BE(4) / 2 ** 32;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
