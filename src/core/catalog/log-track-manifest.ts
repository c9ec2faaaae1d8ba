import { z } from 'zod';
import { UserError } from '../errors.js';
import { sha256Hex } from './files.js';
import { logFacts, recoverFromLog } from './log-script.js';
import { recordMachine, type EraImageOf } from './record-machine.js';
import type { FileRef, HintManifest, RecordEntry, TrackManifest, TrackName, TrackSource, UnrecoverableRecord } from './schema.js';

/**
 * The facts a log-recovered track is generated from: the public record table of an upstream repository at a pinned
 * commit, each row with the logs it links (path, sha256, size and the final validation line).
 */
export const TableFacts = z.object({
  repo: z.string().url(),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  track1_records: z.array(
    z.object({
      number: z.number().int().positive(),
      date: z.string(),
      readme_time_ms: z.number().positive(),
      description: z.string().min(1),
      log_link: z.string().nullable().optional(),
      logs: z.array(
        z.object({
          path: z.string(),
          sha256: z.string(),
          bytes: z.number().int().nonnegative(),
          final: z.object({ val_loss: z.number() }).nullable().optional(),
        }),
      ),
    }),
  ),
});
export type TableFacts = z.infer<typeof TableFacts>;
type Row = TableFacts['track1_records'][number];

export interface LogTrackOptions {
  track: TrackName;
  title: string;
  license: string;
  targetValLoss: number;
  referenceHardware: string;
  timeSource: string;
  /** A file's bytes at the pinned commit; undefined when the commit has no such file. */
  readFile: (path: string) => Promise<Buffer | undefined>;
  /** The container image for the torch a log printed (absent: records name no image). */
  eraImage?: EraImageOf;
}

/** README dates are MM/DD/YY. */
function isoDate(date: string, where: string): string {
  const m = /^(\d{2})\/(\d{2})\/(\d{2})$/.exec(date);
  if (!m) throw new UserError(`${where}: date ${JSON.stringify(date)} is not MM/DD/YY`, 'fix the facts file');
  return `20${m[3]}-${m[1]}-${m[2]}`;
}

const ref = (path: string, text: string | Buffer): FileRef => ({ path, sha256: sha256Hex(text), bytes: Buffer.byteLength(text) });

/**
 * The records and hints manifests of a log-recovered track (figures only: dates, times, descriptions, paths,
 * sha256). Each record number takes its last table row (a re-timed record keeps its earlier rows as figures);
 * its script is cut from the first linked log that opens with one, preferring a log whose final line reaches the
 * target. Rows with no log or no recoverable script are listed with the reason.
 */
export async function buildLogTrackManifests(facts: TableFacts, opts: LogTrackOptions): Promise<{ manifest: TrackManifest; hints: HintManifest }> {
  const source: TrackSource = { kind: 'upstream', repo: facts.repo, commit: facts.commit, license: opts.license };
  const byNumber = new Map<number, Row[]>();
  for (const row of facts.track1_records) byNumber.set(row.number, [...(byNumber.get(row.number) ?? []), row]);
  const records: RecordEntry[] = [];
  const unrecoverable: UnrecoverableRecord[] = [];
  for (const [number, rows] of [...byNumber].sort((a, b) => a[0] - b[0])) {
    const row = rows.at(-1)!;
    const where = `record ${number}`;
    const base = { number, description: row.description, date: isoDate(row.date, where), readme_time_ms: row.readme_time_ms };
    const picked = await pickLog(row, opts, where);
    if (!picked.ok) {
      unrecoverable.push({ ...base, reason: picked.reason, ...(picked.log ? { log: picked.log } : {}) });
      continue;
    }
    const folder = `recovered/record_${String(number).padStart(2, '0')}`;
    const machine = logFacts(picked.text);
    const earlier = rows.slice(0, -1).map((r) => ({
      date: isoDate(r.date, where),
      readme_time_ms: r.readme_time_ms,
      description: r.description,
      ...(r.log_link ? { log: r.log_link } : {}),
    }));
    records.push({
      ...base,
      time_ms: row.readme_time_ms,
      time_source: opts.timeSource,
      log: picked.log,
      script: ref(`${folder}/train_gpt.py`, picked.script),
      ...(picked.kernels.length > 0 ? { kernels: picked.kernels.map((k) => ref(`${folder}/${k.name}`, k.text)) } : {}),
      ...(machine.torch ? { torch: machine.torch } : {}),
      ...(machine.gpus ? { log_gpus: machine.gpus } : {}),
      ...recordMachine(picked.script, picked.text, machine.torch, opts.eraImage),
      ...(earlier.length > 0 ? { earlier_rows: earlier } : {}),
    });
  }
  for (const record of records) {
    const next = records.find((r) => r.number === record.number + 1);
    if (next && sameFiles(next, record)) {
      record.task_excluded = `record ${next.number} runs the same script and kernel files (a change of environment, not of code): the task has no diff`;
    } else if (next?.earlier_rows) {
      record.task_excluded = `record ${next.number} was re-timed under changed rules (its table lists it ${next.earlier_rows.length + 1} times); its time does not compare with record ${record.number}'s`;
    }
  }
  const manifest: TrackManifest = {
    track: opts.track,
    title: opts.title,
    target_val_loss: opts.targetValLoss,
    timing_rule: 'final',
    retime: 'none',
    retime_repeats: 3,
    reference_hardware: opts.referenceHardware,
    source,
    launch: { runner: 'torchrun', nproc: 8, timeout_s: 3600 },
    records,
    unrecoverable,
  };
  return { manifest, hints: { track: opts.track, source, hints: [] } };
}

/** Same script and same kernel files: record b changed only its environment. */
function sameFiles(a: RecordEntry, b: RecordEntry): boolean {
  const key = (r: RecordEntry) => [r.script.sha256, ...(r.kernels ?? []).map((k) => `${k.path.split('/').pop()}:${k.sha256}`).sort()].join(',');
  return key(a) === key(b);
}

type Picked =
  { ok: true; log: FileRef; text: string; script: string; kernels: { name: string; text: string }[] } | { ok: false; reason: string; log?: FileRef };

async function pickLog(row: Row, opts: LogTrackOptions, where: string): Promise<Picked> {
  if (row.logs.length === 0) return { ok: false, reason: `the record table links no log${row.log_link ? ` (it links ${row.log_link})` : ''}` };
  let firstFailure: Picked | undefined;
  let fallback: Picked | undefined;
  for (const log of row.logs) {
    const bytes = await opts.readFile(log.path);
    if (bytes === undefined) throw new UserError(`${where}: ${log.path} is not in the commit`, 'pass the mirror of the pinned repository');
    const fileRef = ref(log.path, bytes);
    if (fileRef.sha256 !== log.sha256)
      throw new UserError(`${where}: ${log.path} does not match the facts file's sha256`, 'regenerate the facts file or fix the mirror');
    const text = bytes.toString('utf8');
    const recovery = recoverFromLog(text);
    if (!recovery.ok) {
      firstFailure ??= { ok: false, reason: recovery.reason, log: fileRef };
      continue;
    }
    const picked: Picked = { ok: true, log: fileRef, text, script: recovery.script, kernels: recovery.kernels };
    if (log.final && log.final.val_loss <= opts.targetValLoss) return picked;
    fallback ??= picked;
  }
  return fallback ?? firstFailure!;
}
