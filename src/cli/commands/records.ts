import { basename } from 'node:path';
import type { Command } from 'commander';
import { fileState, getRecord, listTasks, loadHints, loadTrack, localFilePath, parseTrackName } from '../../core/catalog/catalog.js';
import type { FileState } from '../../core/catalog/files.js';
import { availableHintLevels, formatHintSpec } from '../../core/catalog/hints.js';
import { loadOfferedHints } from '../../core/catalog/offered-hints.js';
import { TrackName, type RecordEntry, type TrackManifest, type TrackSource, type UnrecoverableRecord } from '../../core/catalog/schema.js';
import { SyncVerificationError, syncUpstream } from '../../core/catalog/sync.js';
import { UserError } from '../../core/errors.js';
import type { CacheLayout } from '../../core/paths.js';
import { describeTiming, recordTiming, taskTiming } from '../../core/catalog/task-timing.js';
import type { CliContext } from '../context.js';
import { formatTable } from '../format.js';
import { formatTime } from '../../core/format-time.js';
import { interruptSignal, parsePositiveInt } from '../options.js';

/** What `records list` shows for a script: is it here, and is it the right one. */
export type ScriptAvailability = 'bundled' | 'synced' | 'not synced' | 'missing' | 'modified' | 'unrecoverable';

function availability(source: TrackSource, state: FileState): ScriptAvailability {
  if (state === 'modified') return 'modified';
  if (source.kind === 'bundled') return state === 'ok' ? 'bundled' : 'missing';
  return state === 'ok' ? 'synced' : 'not synced';
}

type ListRow = Awaited<ReturnType<typeof listRows>>[number];

async function listRows(manifest: TrackManifest, cache: CacheLayout) {
  const tasks = new Set(listTasks(manifest).map((t) => t.record));
  const rows = await Promise.all(
    manifest.records.map(async (r) => ({
      track: manifest.track,
      record: r.number,
      date: r.date,
      time_ms: r.time_ms,
      readme_time_ms: r.readme_time_ms ?? null,
      description: r.description,
      script: availability(manifest.source, await fileState(manifest.source, r.script, cache)) as ScriptAvailability,
      task: tasks.has(r.number),
      task_excluded: r.task_excluded ?? null,
      torch: r.torch ?? null,
      log_gpus: r.log_gpus ?? null,
      log: r.log?.path ?? null,
      unrecoverable: null as string | null,
    })),
  );
  // Rows of the record table with no recoverable script: listed with the reason, never a task.
  for (const u of manifest.unrecoverable ?? []) {
    rows.push({
      track: manifest.track,
      record: u.number,
      date: u.date,
      time_ms: u.readme_time_ms,
      readme_time_ms: u.readme_time_ms,
      description: u.description,
      script: 'unrecoverable',
      task: false,
      task_excluded: null,
      torch: null,
      log_gpus: null,
      log: u.log?.path ?? null,
      unrecoverable: u.reason,
    });
  }
  return rows.sort((a, b) => a.record - b.record);
}

function registerList(records: Command, ctx: CliContext): void {
  records
    .command('list')
    .description('list the records of one track, or of every track')
    .option('--track <track>', `only this track (${TrackName.options.join(', ')})`)
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { track?: string; json?: boolean }) => {
      const tracks = opts.track ? [parseTrackName(opts.track)] : TrackName.options;
      const rows: ListRow[] = [];
      const skipped: string[] = [];
      for (const track of tracks) {
        let manifest: TrackManifest;
        try {
          manifest = await loadTrack(track);
        } catch (error) {
          // Listing every track: a track whose manifest is absent is reported, not fatal.
          if (opts.track || !(error instanceof UserError) || !error.message.startsWith('no ')) throw error;
          skipped.push(track);
          ctx.log(`note: ${error.message}`);
          continue;
        }
        rows.push(...(await listRows(manifest, ctx.cache())));
      }
      if (opts.json) return ctx.json({ records: rows, skipped_tracks: skipped });
      const describe = (r: ListRow) => (r.unrecoverable ? `${r.description} (no script: ${r.unrecoverable})` : r.description);
      // Log-recovered tracks also say what the log ran on; the other tracks keep their narrower table.
      const fromLogs = rows.some((r) => r.log !== null);
      ctx.out(
        fromLogs
          ? formatTable(
              ['track', 'record', 'date', 'time', 'script', 'torch', 'gpus', 'description'],
              rows.map((r) => [
                r.track,
                String(r.record),
                r.date,
                formatTime(r.time_ms),
                r.script,
                r.torch ?? '—',
                r.log_gpus === null ? '—' : String(r.log_gpus),
                describe(r),
              ]),
            )
          : formatTable(
              ['track', 'record', 'date', 'time', 'script', 'description'],
              rows.map((r) => [r.track, String(r.record), r.date, formatTime(r.time_ms), r.script, describe(r)]),
            ),
      );
      const unsynced = [...new Set(rows.filter((r) => r.script === 'not synced').map((r) => r.track))];
      for (const track of unsynced) ctx.log(`fetch upstream scripts with: speedrun records sync --track ${track}`);
    });
}

function registerShow(records: Command, ctx: CliContext): void {
  records
    .command('show')
    .description('show one record: times, script, sync state and hint levels')
    .argument('<record>', 'record number')
    .requiredOption('--track <track>', `track (${TrackName.options.join(', ')})`)
    .option('--json', 'print one JSON object on stdout')
    .action(async (n: string, opts: { track: string; json?: boolean }) => {
      const track = parseTrackName(opts.track);
      const manifest = await loadTrack(track);
      const number = parsePositiveInt(n, 'record');
      const lost = manifest.unrecoverable?.find((u) => u.number === number);
      if (lost) return showUnrecoverable(ctx, track, lost, opts.json === true);
      const record = getRecord(manifest, number);
      const cache = ctx.cache();
      const state = await fileState(manifest.source, record.script, cache);
      const task = listTasks(manifest).find((t) => t.record === record.number) ?? null;
      let hintLevels: number[] = [];
      try {
        // Accepted generated hints count: `--hint` takes them where the manifest lacks the level.
        hintLevels = availableHintLevels(await loadOfferedHints(track, cache), record.number, task !== null);
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        ctx.log(`note: ${error.message}`);
      }
      const details = {
        track,
        record: record.number,
        description: record.description,
        date: record.date,
        time_ms: record.time_ms,
        time_source: record.time_source,
        readme_time_ms: record.readme_time_ms ?? null,
        target_val_loss: recordTiming(manifest, record.number).target,
        target_why: record.target_why ?? null,
        timing_rule: manifest.timing_rule,
        task_target_val_loss: task ? taskTiming(manifest, record.number).target : null,
        reference_hardware: manifest.reference_hardware,
        script: { ...record.script, local_path: localFilePath(manifest.source, record.script, cache), state: availability(manifest.source, state) },
        source: manifest.source,
        task,
        task_excluded: record.task_excluded ?? null,
        hint_levels: hintLevels,
        train_shards: record.train_shards ?? null,
        log: record.log ?? null,
        kernels: record.kernels ?? [],
        torch: record.torch ?? null,
        log_gpus: record.log_gpus ?? null,
        gpu_counts: record.gpu_counts ?? (manifest.launch.runner === 'torchrun' ? [manifest.launch.nproc] : null),
        peak_memory_mib: record.peak_memory_mib ?? null,
        image: record.image ?? null,
        approximate_env: record.approximate_env ?? null,
        earlier_rows: record.earlier_rows ?? [],
      };
      if (opts.json) return ctx.json(details);
      const lines = [
        `track ${track}, record ${record.number}: ${record.description}`,
        `date:          ${record.date}`,
        `time:          ${formatTime(record.time_ms)} (${record.time_ms} ms; ${record.time_source})`,
        ...(record.readme_time_ms !== undefined ? [`readme time:   ${formatTime(record.readme_time_ms)} (${record.readme_time_ms} ms)`] : []),
        `target:        ${describeTiming(recordTiming(manifest, record.number))} on ${manifest.reference_hardware}${record.target_why ? ` (${record.target_why})` : ''}`,
        `script:        ${record.script.path} (sha256 ${record.script.sha256.slice(0, 12)}…)`,
        `local copy:    ${details.script.state} — ${details.script.local_path}`,
        ...logLines(record),
        task
          ? `task:          ${formatTime(task.baselineMs)} → ${formatTime(task.targetMs)} (record ${record.number + 1}), scored at ${describeTiming(taskTiming(manifest, record.number))}`
          : `task:          none${record.task_excluded ? ` (excluded: ${record.task_excluded})` : ' (no next record)'}`,
        `hint levels:   ${describeLevels(hintLevels)}`,
        ...machineLines(details),
        ...(record.train_shards !== undefined
          ? [`train data:    ${record.train_shards} FineWeb train shards of 100M tokens + val (speedrun data prepare --track ${track})`]
          : []),
      ];
      ctx.out(lines.join('\n'));
      if (details.script.state === 'not synced') ctx.log(`fetch it with: speedrun records sync --track ${track}`);
    });
}

/** What the record needs to train: GPU counts, memory per GPU, and the container image (exact or approximate). */
function machineLines(d: {
  gpu_counts: number[] | null;
  peak_memory_mib: number | null;
  image: string | null;
  approximate_env: string | null;
  torch: string | null;
}): string[] {
  return [
    ...(d.gpu_counts ? [`GPUs:          ${d.gpu_counts.join(', ')} (the counts its script trains its own algorithm with)`] : []),
    ...(d.peak_memory_mib !== null ? [`GPU memory:    ${(d.peak_memory_mib / 1024).toFixed(1)} GiB per GPU at peak in its log`] : []),
    ...(d.image
      ? [`container:     ${d.image}${d.approximate_env ? ` — approximate-env: ${d.approximate_env}` : d.torch ? ' (the torch its log ran)' : ''}`]
      : []),
  ];
}

/** Log-recovered records: which log the script was cut from, and what that log ran on. */
function logLines(record: RecordEntry): string[] {
  if (!record.log) return [];
  return [
    `from log:      ${record.log.path} (sha256 ${record.log.sha256.slice(0, 12)}…, ${record.log.bytes ?? '?'} bytes)`,
    ...(record.kernels?.length
      ? [`kernel files:  ${record.kernels.map((k) => basename(k.path)).join(', ')} (recovered from the same log, placed beside the script)`]
      : []),
    `torch:         ${record.torch ?? 'not printed by the log'}`,
    `log GPUs:      ${record.log_gpus ?? 'not printed by the log'}${record.log_gpus !== undefined ? ' (the GPUs the log was written on, from its nvidia-smi table)' : ''}`,
    ...(record.earlier_rows ?? []).map(
      (row) => `earlier row:   ${row.date}, ${formatTime(row.readme_time_ms)}: ${row.description}${row.log ? ` (${row.log})` : ''}`,
    ),
  ];
}

function showUnrecoverable(ctx: CliContext, track: TrackName, lost: UnrecoverableRecord, json: boolean): void {
  if (json)
    return ctx.json({
      track,
      record: lost.number,
      description: lost.description,
      date: lost.date,
      readme_time_ms: lost.readme_time_ms,
      script: null,
      unrecoverable: lost.reason,
      log: lost.log ?? null,
      task: null,
    });
  ctx.out(
    [
      `track ${track}, record ${lost.number}: ${lost.description}`,
      `date:          ${lost.date}`,
      `readme time:   ${formatTime(lost.readme_time_ms)} (${lost.readme_time_ms} ms)`,
      `script:        not recoverable: ${lost.reason}`,
      ...(lost.log ? [`log:           ${lost.log.path}`] : []),
      `task:          none (no script to start from or aim for)`,
    ].join('\n'),
  );
}

/** The levels `--hint` accepts for a record, and how to combine them. */
function describeLevels(levels: number[]): string {
  if (levels.length === 0) return 'none';
  const list = levels.map((l) => `L${l}`).join(', ');
  return levels.length > 1 ? `${list} (--hint takes one, or several joined with +: ${formatHintSpec(levels)})` : list;
}

function registerSync(records: Command, ctx: CliContext): void {
  records
    .command('sync')
    .description('fetch the record scripts and hint files of an upstream track at its pinned commit, verifying every sha256')
    .option('--track <track>', 'track to sync', 'nanogpt')
    .option('--source <url-or-path>', 'clone or fetch from here instead of the pinned repository (e.g. a local clone)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { track: string; source?: string; json?: boolean }) => {
      const track = parseTrackName(opts.track);
      const manifest = await loadTrack(track);
      if (manifest.source.kind === 'bundled') {
        if (opts.json) return ctx.json({ track, bundled: true, ok: true, message: 'bundled with speedrun; nothing to sync' });
        return ctx.out(`track ${track} is bundled with speedrun; it needs no sync.`);
      }
      const hints = await loadHints(track);
      const signal = interruptSignal(ctx, () => new UserError('sync interrupted; the previous cache is unchanged', 'run the sync again'));
      try {
        const report = await syncUpstream({ manifest, hints, source: opts.source, cache: ctx.cache(), signal, log: ctx.log, env: ctx.env });
        if (opts.json) return ctx.json(report);
        ctx.out(`synced ${report.files.length} files of ${report.repo} at ${report.commit.slice(0, 12)} (mirror ${report.mirror}) into ${report.dir}`);
        if (report.recovered.length > 0) {
          const scripts = report.recovered.filter((f) => f.path.endsWith('/train_gpt.py')).length;
          ctx.out(`recovered ${scripts} record scripts (${report.recovered.length} files with their kernel files) from the logs; each matches its sha256`);
        }
        for (const u of report.unrecoverable) ctx.out(`record ${u.record}: no script: ${u.reason}`);
      } catch (error) {
        if (opts.json && error instanceof SyncVerificationError) ctx.json(error.report);
        throw error;
      }
    });
}

export function registerRecordsCommands(program: Command, ctx: CliContext): void {
  const records = program.command('records').description('the record catalog: list, show and sync records');
  registerList(records, ctx);
  registerShow(records, ctx);
  registerSync(records, ctx);
}
