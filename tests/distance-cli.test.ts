import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/core/catalog/files.js';
import { Report } from '../src/core/report/schema.js';
import { leastSquares } from '../src/core/score/linear-fit.js';
import { DistanceFile } from '../src/core/store/distance-file.js';
import { EmbeddingCallRecord } from '../src/core/store/embedding-calls.js';
import { RunSummary } from '../src/core/store/schema.js';
import { tinyScript } from './helpers/agent-fixtures.js';
import { speedrun } from './helpers/cli.js';
import { startLlmStub, stubEmbedding, STUB_MODEL, type LlmStub, type StubRequest } from './helpers/llm-stub.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);
let stub: LlmStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

// Real runs made by the CLI on simulated trainings: tiny record 1 by the reference agent (its best node is record
// 2's script) and the null agent (its best is record 1 itself), and tiny record 2 by the reference agent.
let pristine: string;
const runs: Record<'reference' | 'null' | 'reference2', RunSummary> = {} as never;
beforeAll(async () => {
  pristine = await tempDir('distance-runs');
  for (const [key, agent, record] of [
    ['reference', 'reference', '1'],
    ['null', 'null', '1'],
    ['reference2', 'reference', '2'],
  ] as const) {
    const ran = await speedrun(['run', '--track', 'tiny', '--record', record, '--agent', agent, '--executor', 'sim', '--out', pristine, '--json'], {
      SPEEDRUN_CACHE: join(pristine, '..', 'distance-runs-cache'),
    });
    expect(ran.exitCode, ran.stderr).toBe(0);
    runs[key] = RunSummary.parse(JSON.parse(ran.stdout));
  }
}, 180_000);

interface Workspace {
  results: string;
  config: string;
  cache: string;
  dirs: Record<keyof typeof runs, string>;
}

/** A fresh copy of the runs, an empty cache, and a config whose profile `emb` points at the stub, with prices. */
async function workspace(baseUrl: string, profile = ''): Promise<Workspace> {
  const dir = await tempDir('distance');
  const results = join(dir, 'results');
  await cp(pristine, results, { recursive: true });
  const config = join(dir, 'speedrun.config.yaml');
  await writeFile(
    config,
    `models:\n  emb:\n    base_url: ${baseUrl}\n    model: ${STUB_MODEL}\n    api_key_env: null\n    max_retries: 0\n    prices: { input_per_million: 2, output_per_million: 0 }\n${profile}`,
  );
  const dirs = Object.fromEntries(Object.entries(runs).map(([k, s]) => [k, join(results, s.run_id)])) as Workspace['dirs'];
  return { results, config, cache: join(dir, 'cache'), dirs };
}

const distance = (w: Workspace, ...extra: string[]) =>
  speedrun(['distance', w.results, '--model', 'emb', '--config', w.config, '--json', ...extra], { SPEEDRUN_CACHE: w.cache });
const readDistance = async (runDir: string) => DistanceFile.parse(JSON.parse(await readFile(join(runDir, 'distance.json'), 'utf8')));
const readCalls = async (runDir: string) =>
  (await readFile(join(runDir, 'embedding-calls.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((line) => EmbeddingCallRecord.parse(JSON.parse(line)));
const inputsOf = (request: StubRequest) => (request.body as { input: string[] }).input;

/** The cosine distance of two texts each embedded whole, computed here from the stub's vectors. */
function cosineOf(a: string, b: string): number {
  const [u, v] = [stubEmbedding(a), stubEmbedding(b)];
  const dot = u.reduce((s, x, i) => s + x * v[i]!, 0);
  return 1 - dot / (Math.hypot(...u) * Math.hypot(...v));
}

describe('speedrun distance', () => {
  it('measures the best node against records i and i+1: 0 where it is that record, the stub’s distance elsewhere, each script embedded once', async () => {
    stub = await startLlmStub([], {});
    // One chunk per script (the profile's size), so the distance can be computed here from the stub's vectors.
    const w = await workspace(stub.baseUrl, '    embedding_chunk_chars: 100000\n');
    const ran = await distance(w);
    expect(ran.exitCode, ran.stderr).toBe(0);
    const out = JSON.parse(ran.stdout) as { runs: Array<{ run_id: string; status: string; chunks: object }>; failed: unknown[] };
    expect(out.failed).toEqual([]);
    expect(out.runs.map((r) => r.status)).toEqual(['computed', 'computed', 'computed']);

    const [r1, r2, r3] = [await tinyScript(1), await tinyScript(2), await tinyScript(3)];
    const ref = await readDistance(w.dirs.reference);
    expect(ref).toMatchObject({
      node: 1,
      record: 1,
      next_record: 2,
      model: 'emb',
      model_id: STUB_MODEL,
      chunking: { policy: 'lines', max_chars: 100000, pooling: 'mean-by-chars' },
      dimension: 8,
      distance_to_next: { cosine: 0, l2: 0 },
      scripts: { node: { sha256: sha256Hex(r2), chunks: 1 }, record: { sha256: sha256Hex(r1), chunks: 1 }, next: { sha256: sha256Hex(r2) } },
    });
    expect(ref.distance_to_record_i.cosine).toBeCloseTo(cosineOf(r2, r1), 12);
    expect(ref.distance_to_record_i.l2).toBeCloseTo(Math.sqrt(2 * cosineOf(r2, r1)), 12);
    const nul = await readDistance(w.dirs.null);
    expect(nul).toMatchObject({ node: 0, distance_to_record_i: { cosine: 0, l2: 0 } });
    expect(nul.distance_to_next.cosine).toBeCloseTo(cosineOf(r1, r2), 12);

    // Records 1, 2 and 3: three scripts, each embedded once over the three runs; the rest came from the cache.
    const embedded = stub.embeddingRequests().map((r) => inputsOf(r));
    expect(embedded.map((inputs) => inputs.join(''))).toEqual(expect.arrayContaining([r1, r2, r3]));
    expect(embedded).toHaveLength(3);
    expect((stub.embeddingRequests()[0]!.body as { encoding_format: string }).encoding_format).toBe('float');
    const calls = [...(await readCalls(w.dirs.null)), ...(await readCalls(w.dirs.reference)), ...(await readCalls(w.dirs.reference2))];
    expect(calls).toHaveLength(3);
    const call = calls.find((c) => c.script_sha256 === sha256Hex(r1))!;
    expect(call).toMatchObject({ purpose: 'embed', model: 'emb', usage: { prompt_tokens: Math.ceil(r1.length / 4) }, malformed: null, error: null });
    expect(call.cost_usd).toBeCloseTo((Math.ceil(r1.length / 4) * 2) / 1e6, 12);
    expect(call.response!.vectors).toEqual([stubEmbedding(r1)]);

    // The report: per run, per configuration, and FSR fitted on the distance to record i+1 (reference runs at 0 and
    // FSR 1, the null run at the records' distance and FSR 0: R² 1).
    const reported = await speedrun(['report', w.results, '--reps', '100', '--json'], { SPEEDRUN_CACHE: w.cache });
    expect(reported.exitCode, reported.stderr).toBe(0);
    const reportDir = join(w.results, 'report');
    const report = Report.parse(JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8')));
    const rows = new Map(report.runs.map((r) => [r.run_id, r]));
    expect(rows.get(runs.reference.run_id)).toMatchObject({ distance_model: 'emb', distance_to_next_cosine: 0, distance_to_next_l2: 0 });
    expect(rows.get(runs.null.run_id)).toMatchObject({ distance_to_record_i_cosine: 0 });
    expect(rows.get(runs.null.run_id)!.distance_to_next_cosine).toBeCloseTo(cosineOf(r1, r2), 12);
    // Simulated trainings put the reference runs at FSR ≈ 1 (not exactly) and the null run at 0.
    expect(rows.get(runs.reference.run_id)!.fsr).toBeGreaterThan(0.9);
    expect(rows.get(runs.null.run_id)!.fsr).toBe(0);
    const fit = leastSquares(
      report.runs.map((r) => r.distance_to_next_cosine!),
      report.runs.map((r) => r.fsr!),
    )!;
    expect(report.reproduction.distance_fit).toMatchObject({ runs: 3, models: ['emb'], cosine: fit });
    expect(fit.r2).toBeGreaterThan(0.99);
    expect(report.reproduction.by_configuration.find((r) => r.configuration.includes('null'))).toMatchObject({
      distance_runs: 1,
      mean_distance_to_record_i_cosine: 0,
    });
    const md = await readFile(join(reportDir, 'report.md'), 'utf8');
    expect(md).toMatch(/## Reproduction\n[\s\S]*\| distance to record i \(cos\) \|/);
    expect(md).toContain('## Code distance and FSR');
    expect(md).toContain(`| cosine distance to record i+1 | 3 | ${fit.slope.toFixed(3)} | ${fit.intercept.toFixed(3)} | ${fit.r2.toFixed(3)} |`);
    const html = await readFile(join(reportDir, 'report.html'), 'utf8');
    expect(html).toMatch(/<figure class="chart" id="chart-distance-vs-fsr"><svg/);
    const csv = (await readFile(join(reportDir, 'runs.csv'), 'utf8')).split('\n');
    const header = csv[0]!.split(',');
    const row = csv.find((l) => l.startsWith(runs.reference.run_id))!.split(',');
    expect([row[header.indexOf('distance_model')], row[header.indexOf('distance_to_next_cosine')], row[header.indexOf('distance_to_next_l2')]]).toEqual([
      'emb',
      '0',
      '0',
    ]);
  });

  it('reads records from the cache in another results folder, reuses distance.json without any request, and embeds again with --force', async () => {
    stub = await startLlmStub();
    const w = await workspace(stub.baseUrl);
    expect((await distance(w)).exitCode).toBe(0);
    // Default chunking: the tiny scripts (8–9k characters) make 3 chunks of at most 4000 characters each.
    const ref = await readDistance(w.dirs.reference);
    expect(ref.chunking.max_chars).toBe(4000);
    expect(ref.scripts.record.chunks).toBe(3);
    expect(stub.embeddingRequests().every((r) => inputsOf(r).length === 3 && inputsOf(r).every((c) => c.length <= 4000))).toBe(true);
    expect(stub.embeddingRequests()).toHaveLength(3);

    // A second copy of the runs with the same cache: every script is in it, no embedding request.
    const other = await workspace(stub.baseUrl);
    const copy = { ...other, cache: w.cache };
    const before = stub.embeddingRequests().length;
    const second = await distance(copy);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(stub.embeddingRequests().length).toBe(before);
    const fromCache = await readDistance(copy.dirs.reference);
    expect(fromCache.scripts.record.source).toBe('cache');
    expect(fromCache.distance_to_record_i).toEqual(ref.distance_to_record_i);
    expect(await readCalls(copy.dirs.reference)).toEqual([]);

    // Same folder again: distance.json holds it, not even the endpoint check is made.
    const requests = stub.requests.length;
    const again = await distance(w);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).runs.map((r: { status: string }) => r.status)).toEqual(['cached', 'cached', 'cached']);
    expect(stub.requests.length).toBe(requests);

    // --force: the cache is not read; each run embeds its distinct scripts (reference: records 1 and 2; null: the same).
    const forced = await distance(w, '--force');
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(stub.embeddingRequests().length).toBe(before + 6);
    expect((await readDistance(w.dirs.reference)).scripts.record.source).toBe('endpoint');
  });

  it('replays from the recorded calls with the endpoint gone, the cache filling in what a run did not embed itself', async () => {
    stub = await startLlmStub();
    const w = await workspace(stub.baseUrl);
    expect((await distance(w)).exitCode).toBe(0);
    const before = await Promise.all(Object.values(w.dirs).map(readDistance));
    const callsBefore = await Promise.all(Object.values(w.dirs).map(readCalls));
    await stub.close();
    stub = undefined;
    for (const dir of Object.values(w.dirs)) await writeFile(join(dir, 'distance.json'), '{"broken": true}');

    const replayed = await speedrun(['distance', w.results, '--replay', '--json'], { SPEEDRUN_CACHE: w.cache });
    expect(replayed.exitCode, replayed.stderr).toBe(0);
    expect(JSON.parse(replayed.stdout).runs.map((r: { status: string }) => r.status)).toEqual(['replayed', 'replayed', 'replayed']);
    const after = await Promise.all(Object.values(w.dirs).map(readDistance));
    after.forEach((file, i) => {
      expect(file.distance_to_record_i).toEqual(before[i]!.distance_to_record_i);
      expect(file.distance_to_next).toEqual(before[i]!.distance_to_next);
    });
    expect(await Promise.all(Object.values(w.dirs).map(readCalls))).toEqual(callsBefore); // nothing appended

    // Without the cache, a run replays only what its own calls embedded: the runs that read records from the
    // cache fail, naming what is missing, and the command exits non-zero after trying every run.
    await rm(w.cache, { recursive: true, force: true });
    const bare = await speedrun(['distance', w.results, '--replay', '--json'], { SPEEDRUN_CACHE: w.cache });
    const out = JSON.parse(bare.stdout) as { runs: unknown[]; failed: Array<{ error: string }> };
    const selfContained = callsBefore.filter((calls) => new Set(calls.map((c) => c.script_sha256)).size === 2).length;
    expect(out.runs).toHaveLength(selfContained);
    expect(out.failed.length).toBe(3 - selfContained);
    expect(out.failed.length).toBeGreaterThan(0);
    expect(out.failed[0]!.error).toMatch(/no recorded embedding of script [0-9a-f]{12} .* and none in the embedding cache/);
    expect(bare.exitCode).toBe(2);
  });

  it('asks again after answers without usable vectors (not JSON, wrong length), records each, and replays the same exchange', async () => {
    stub = await startLlmStub();
    stub.enqueueEmbeddings({ raw: '{"data": [NaN]}' }, (request) => ({
      status: 200,
      body: { data: inputsOf(request).map((_, index) => ({ index, embedding: index === 1 ? [1, 2, 3] : stubEmbedding(String(index)) })) },
    }));
    const w = await workspace(stub.baseUrl);
    const ran = await distance(w, w.dirs.reference);
    expect(ran.exitCode, ran.stderr).toBe(0);
    const all = await Promise.all(Object.values(w.dirs).map(readCalls));
    const retried = all.flat().filter((c) => c.script_sha256 === all.flat()[0]!.script_sha256);
    expect(retried.map((c) => c.purpose)).toEqual(['embed', 'embed-retry', 'embed-retry']);
    expect(retried[0]!.malformed).toMatch(/not JSON/);
    expect(retried[1]!.malformed).toMatch(/data\[1\]\.embedding has 3 numbers where 8 were expected/);
    expect(retried[2]!.malformed).toBeNull();
    const files = await Promise.all(Object.values(w.dirs).map(readDistance));
    expect(files.map((f) => f.malformed_answers).sort()).toEqual([0, 0, 2]);

    await stub.close();
    stub = undefined;
    const dir = Object.values(w.dirs).find((_, i) => files[i]!.malformed_answers === 2)!;
    await rm(join(dir, 'distance.json'));
    const replayed = await speedrun(['distance', dir, '--replay', '--json'], { SPEEDRUN_CACHE: w.cache });
    expect(replayed.exitCode, replayed.stderr).toBe(0);
    expect(await readDistance(dir)).toMatchObject({ calls: expect.any(Number), malformed_answers: 2 });
  });

  it('reports a run whose answers stay malformed, measures the others, and exits non-zero naming it', async () => {
    stub = await startLlmStub();
    stub.enqueueEmbeddings({ status: 200, body: { object: 'list' } }, { status: 200, body: { data: [] } });
    const w = await workspace(stub.baseUrl);
    const ran = await distance(w, '--answer-retries', '1');
    expect(ran.exitCode).toBe(3);
    const out = JSON.parse(ran.stdout) as { runs: Array<{ run_id: string }>; failed: Array<{ run_id: string; error: string }> };
    expect(out.runs).toHaveLength(2);
    expect(out.failed).toHaveLength(1);
    expect(out.failed[0]!.error).toMatch(/embedding endpoint: no usable embeddings in 2 answers; the last problem: the answer holds 0 embeddings for 3 inputs/);
    expect(ran.stderr).toMatch(new RegExp(`1 run not measured \\(2 measured\\):\\n.*${out.failed[0]!.run_id}: embedding endpoint`));
    const failedDir = join(w.results, out.failed[0]!.run_id);
    expect(await readdir(failedDir)).not.toContain('distance.json');
    expect((await readCalls(failedDir)).map((c) => c.purpose)).toEqual(['embed', 'embed-retry']);
  });

  it('reports an endpoint that refuses the call as that run’s failure (exit 3), the call recorded with its error', async () => {
    stub = await startLlmStub();
    stub.enqueueEmbeddings({ status: 401, body: { error: { message: 'bad key' } } });
    const w = await workspace(stub.baseUrl);
    const ran = await distance(w);
    expect(ran.exitCode).toBe(3);
    const failed = JSON.parse(ran.stdout).failed as Array<{ run_id: string; error: string }>;
    expect(failed).toEqual([expect.objectContaining({ error: expect.stringMatching(/LLM endpoint: HTTP 401/) })]);
    const [call] = await readCalls(join(w.results, failed[0]!.run_id));
    expect(call).toMatchObject({ purpose: 'embed', response: null, error: { kind: 'auth', status: 401 } });
  });
});
