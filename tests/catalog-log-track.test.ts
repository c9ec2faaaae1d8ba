import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRecord, listTasks, resolveManifestFile, resolveRecordScript, whyNoTask } from '../src/core/catalog/catalog.js';
import { upstreamPaths } from '../src/core/catalog/files.js';
import { logFacts, recoverFromLog } from '../src/core/catalog/log-script.js';
import { buildLogTrackManifests, type TableFacts } from '../src/core/catalog/log-track-manifest.js';
import { TrackManifest } from '../src/core/catalog/schema.js';
import { syncUpstream, SyncVerificationError } from '../src/core/catalog/sync.js';
import { UserError } from '../src/core/errors.js';
import { parseLog } from '../src/core/measure/log-parser.js';
import { cacheLayout } from '../src/core/paths.js';
import { smokeRewrite } from '../src/core/smoke/smoke-rewrite.js';
import { commitMore, makeFixtureRepo, removeTempDirs, sha, tempDir } from './helpers/catalog-fixtures.js';
import { eraScripts, log2024, log2025, log2026, logWithoutScript } from './helpers/era-logs.js';

afterAll(removeTempDirs);

const logs: Record<string, string> = {
  'records/r1/a.txt': log2024(eraScripts.r1),
  'records/r2/b.txt': log2025(eraScripts.r2),
  // Record 3 was re-timed: its first row links an earlier log.
  'records/r3-old/c.txt': log2025(eraScripts.r2.replace('two', 'three, first try')),
  'records/r3/d.txt': log2026(eraScripts.r3, { 'my_kernels.py': eraScripts.kernel }),
  'records/r4/main.log': logWithoutScript(),
};
const row = (number: number, date: string, ms: number, description: string, paths: string[]) => ({
  number,
  date,
  readme_time_ms: ms,
  description,
  log_link: paths[0] ?? null,
  logs: paths.map((path) => ({ path, sha256: sha(logs[path]!), bytes: Buffer.byteLength(logs[path]!), final: { val_loss: 3.279 } })),
});

let repo: { path: string; commit: string };
let facts: TableFacts;

async function manifests(commit = repo.commit, files = logs) {
  return buildLogTrackManifests(
    { ...facts, commit },
    {
      track: 'nanogpt-modern',
      title: 'fixture ladder',
      license: 'test',
      targetValLoss: 3.28,
      referenceHardware: 'test',
      timeSource: 'fixture table',
      readFile: async (path) => (files[path] === undefined ? undefined : Buffer.from(files[path]!)),
    },
  );
}

beforeAll(async () => {
  repo = await makeFixtureRepo(logs);
  facts = {
    repo: 'https://example.invalid/acme/fixture-ladder',
    commit: repo.commit,
    track1_records: [
      row(1, '10/11/24', 900_000, 'first', ['records/r1/a.txt']),
      row(2, '05/24/25', 700_000, 'second', ['records/r2/b.txt']),
      row(3, '06/01/25', 690_000, 'third, original rules', ['records/r3-old/c.txt']),
      row(3, '01/19/26', 720_000, 'third, re-timed', ['records/r3/d.txt']),
      row(4, '02/01/26', 600_000, 'fourth', ['records/r4/main.log']),
      row(5, '03/01/26', 500_000, 'fifth', []),
    ],
  };
});

describe('recovering scripts from record logs', () => {
  it('cuts the script out of each era of log, and the kernel files after their banners', () => {
    expect(recoverFromLog(logs['records/r1/a.txt']!)).toEqual({ ok: true, script: eraScripts.r1, kernels: [] });
    expect(recoverFromLog(logs['records/r2/b.txt']!)).toEqual({ ok: true, script: eraScripts.r2, kernels: [] });
    expect(recoverFromLog(logs['records/r3/d.txt']!)).toEqual({
      ok: true,
      script: eraScripts.r3,
      kernels: [{ name: 'my_kernels.py', text: eraScripts.kernel }],
    });
    const none = recoverFromLog(logs['records/r4/main.log']!);
    expect(none.ok).toBe(false);
    expect(!none.ok && none.reason).toMatch(/no line of 100 '='/);
  });

  it('reads the torch version and the GPUs of the nvidia-smi table', () => {
    expect(logFacts(logs['records/r1/a.txt']!)).toEqual({ torch: '2.4.1+cu121', gpus: 8 });
    expect(logFacts(logs['records/r3/d.txt']!)).toEqual({ torch: '2.10.0+cu128', gpus: 1 });
    expect(logFacts(logWithoutScript())).toEqual({ torch: null, gpus: null });
  });

  it('the harness parser reads the final line of a log with an untimed warm-up and an embedded kernel file', () => {
    const parsed = parseLog(logs['records/r3/d.txt']!);
    expect(parsed.final).toMatchObject({ step: 12, total_steps: 12, val_loss: 3.277, train_time_ms: 500 });
  });
});

describe('a log-recovered track', () => {
  it('generates a manifest of figures: recovered scripts, unrecoverable rows with reasons, re-timed records', async () => {
    const { manifest, hints } = await manifests();
    expect(() => TrackManifest.parse(manifest)).not.toThrow();
    expect(hints.hints).toEqual([]);
    expect(manifest.records.map((r) => r.number)).toEqual([1, 2, 3]);
    const [r1, r2, r3] = manifest.records;
    expect(r1).toMatchObject({ date: '2024-10-11', time_ms: 900_000, torch: '2.4.1+cu121', log_gpus: 8 });
    expect(r1!.script).toEqual({ path: 'recovered/record_01/train_gpt.py', sha256: sha(eraScripts.r1), bytes: Buffer.byteLength(eraScripts.r1) });
    expect(r2!.task_excluded).toMatch(/record 3 was re-timed/);
    expect(r3).toMatchObject({ description: 'third, re-timed', time_ms: 720_000, earlier_rows: [{ date: '2025-06-01', readme_time_ms: 690_000 }] });
    expect(r3!.kernels).toEqual([{ path: 'recovered/record_03/my_kernels.py', sha256: sha(eraScripts.kernel), bytes: Buffer.byteLength(eraScripts.kernel) }]);
    expect(manifest.unrecoverable?.map((u) => [u.number, u.reason])).toEqual([
      [4, expect.stringMatching(/no line of 100 '='/)],
      [5, 'the record table links no log'],
    ]);
    // Only 1 → 2 is a task: 2 → 3 is excluded (re-timed), 3 → 4 has no script to aim for.
    expect(listTasks(manifest).map((t) => t.record)).toEqual([1]);
    expect(whyNoTask(manifest, 3)).toMatch(/record 4 has no recoverable script/);
    expect(() => getRecord(manifest, 5)).toThrow(/record 5 of track nanogpt-modern has no recoverable script: the record table links no log/);
  });

  it('syncs: verifies each log, writes the recovered scripts and kernels, and lists the unrecoverable rows', async () => {
    const { manifest, hints } = await manifests();
    const cache = cacheLayout(await tempDir('log-track-cache'));
    const report = await syncUpstream({ manifest, hints, source: repo.path, cache });
    expect(report.ok).toBe(true);
    expect(report.files.map((f) => f.path).sort()).toEqual(['records/r1/a.txt', 'records/r2/b.txt', 'records/r3/d.txt', 'records/r4/main.log']);
    expect(report.recovered.map((f) => [f.path, f.status])).toEqual([
      ['recovered/record_01/train_gpt.py', 'ok'],
      ['recovered/record_02/train_gpt.py', 'ok'],
      ['recovered/record_03/train_gpt.py', 'ok'],
      ['recovered/record_03/my_kernels.py', 'ok'],
    ]);
    expect(report.unrecoverable.map((u) => u.record)).toEqual([4, 5]);
    expect(await readFile(await resolveRecordScript(manifest, 3, cache), 'utf8')).toBe(eraScripts.r3);
    const kernel = await resolveManifestFile(manifest.track, manifest.source, manifest.records[2]!.kernels![0]!, cache);
    expect(await readFile(kernel, 'utf8')).toBe(eraScripts.kernel);
    expect(await readdir(join(upstreamPaths(cache, manifest.source as never).filesDir, 'recovered', 'record_03'))).toEqual(['my_kernels.py', 'train_gpt.py']);
  });

  it('fails the sync, keeping the previous cache, when a log or a recovered text differs from the manifest', async () => {
    const { manifest, hints } = await manifests();
    const cache = cacheLayout(await tempDir('log-track-cache'));
    const first = await syncUpstream({ manifest, hints, source: repo.path, cache });

    // A damaged log at a later commit: its sha256 no longer matches.
    const damaged = { ...logs, 'records/r2/b.txt': logs['records/r2/b.txt']!.replace('record two', 'record 2!') };
    const commit2 = await commitMore(repo.path, { 'records/r2/b.txt': damaged['records/r2/b.txt']! });
    const later = await manifests(repo.commit);
    later.manifest.source = { ...later.manifest.source, commit: commit2 } as typeof later.manifest.source;
    later.hints.source = later.manifest.source;
    const error = await syncUpstream({ ...later, source: repo.path, cache }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncVerificationError);
    expect((error as SyncVerificationError).report.mismatched).toEqual(['records/r2/b.txt']);
    expect((error as Error).message).toContain('sha256 differs: records/r2/b.txt');

    // A recovered script whose manifest sha256 is not the text's.
    const wrong = structuredClone(manifest);
    wrong.records[0]!.script.sha256 = sha('another script');
    const error2 = await syncUpstream({ manifest: wrong, hints, source: repo.path, cache }).catch((e: unknown) => e);
    expect((error2 as SyncVerificationError).report.mismatched).toEqual(['recovered/record_01/train_gpt.py']);
    expect(await readFile(join(first.dir, 'files', 'recovered/record_01/train_gpt.py'), 'utf8')).toBe(eraScripts.r1);
  });

  it('refuses a facts file whose log differs from the commit', async () => {
    const changed = { ...logs, 'records/r1/a.txt': `${logs['records/r1/a.txt']}extra\n` };
    await expect(manifests(repo.commit, changed)).rejects.toThrow(UserError);
  });
});

describe('smoke rewrite of the later eras', () => {
  it('scales num_iterations with an iteration_extension, and a scheduled + extension split', () => {
    const two = smokeRewrite(eraScripts.r2, 5);
    expect(two.changes.map((c) => [c.name, c.to])).toEqual([
      ['num_iterations', 4],
      ['iteration_extension', 1],
    ]);
    const three = smokeRewrite(eraScripts.r3, 5);
    expect(three.changes.map((c) => [c.name, c.to])).toEqual([
      ['num_scheduled_iterations', 4],
      ['num_extension_iterations', 1],
    ]);
    const summed = `class H:\n    num_scheduled_iterations: int = 1000\n    num_extension_iterations: int = 40\n    num_iterations: int = num_scheduled_iterations + num_extension_iterations\n`;
    expect(smokeRewrite(summed, 5).script).toContain('num_iterations: int = num_scheduled_iterations + num_extension_iterations\n');
    expect(smokeRewrite(summed, 5).script).toContain('num_scheduled_iterations: int = 4\n');
  });

  it('refuses a num_iterations computed from anything but its step-count parts', () => {
    const odd = `num_scheduled_iterations = 1000\nnum_iterations = num_scheduled_iterations + bonus\n`;
    expect(() => smokeRewrite(odd, 5)).toThrow(/computes it from something else/);
  });
});
