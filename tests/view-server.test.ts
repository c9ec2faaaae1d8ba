import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startViewServer, type ViewServer } from '../src/core/view/view-server.js';
import { cacheLayout } from '../src/core/paths.js';
import type { ChainData } from '../src/core/view/view-chain.js';
import type { CurvesData } from '../src/core/view/view-curves.js';
import type { IndexData, NodeData, RunData } from '../src/core/view/view-data.js';
import type { NodePage, RunPage } from '../src/core/view/view-routes.js';
import { speedrun } from './helpers/cli.js';
import { startLlmStub, STUB_MODEL, type LlmStub, type StubReply } from './helpers/llm-stub.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import { makeViewResults, startView, stopView, type ViewResults } from './helpers/view-fixtures.js';

afterAll(removeTempDirs);

/** A raw GET: the path goes out exactly as written (fetch would resolve `..` itself and hide what the server does). */
function get(url: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function getJson<T>(url: string, path: string): Promise<T> {
  const res = await get(url, path);
  expect(res.status, `${path}: ${res.body.slice(0, 300)}`).toBe(200);
  return JSON.parse(res.body) as T;
}

const SECRET = 'SECRET-OUTSIDE-THE-RESULTS-FOLDER';

let results: ViewResults;
/** The bench, and a copy of it with damaged and linked files; a file outside both holds SECRET. */
let damagedRoot: string;
let view: ViewServer;

beforeAll(async () => {
  results = await makeViewResults();
  const outside = await tempDir('view-outside');
  await writeFile(join(outside, 'secret.txt'), `${SECRET}\n`);
  await cp(results.single, join(outside, 'run-outside'), { recursive: true });

  damagedRoot = await tempDir('view-damaged');
  await cp(results.bench, join(damagedRoot, 'bench'), { recursive: true });
  const [llmRun, referenceRun] = (await readdir(join(damagedRoot, 'bench'))).filter((e) => e.startsWith('tiny-')).sort();
  // A run.json cut off mid-write, a node's result.json cut off, a log that is a link out of the folder.
  const runJson = join(damagedRoot, 'bench', referenceRun!, 'run.json');
  await writeFile(runJson, (await readFile(runJson, 'utf8')).slice(0, 120));
  const result1 = join(damagedRoot, 'bench', llmRun!, 'nodes', '1', 'result.json');
  await writeFile(result1, (await readFile(result1, 'utf8')).slice(0, 50));
  const log2 = join(damagedRoot, 'bench', llmRun!, 'nodes', '2', 'stdout.log');
  await rm(log2);
  await symlink(join(outside, 'secret.txt'), log2);
  // A run folder that is a link to a run elsewhere is not a run of this results folder.
  await symlink(join(outside, 'run-outside'), join(damagedRoot, 'bench', 'linked-run'));

  view = await startViewServer([results.bench, results.single, damagedRoot], '127.0.0.1', 0);
}, 300_000);

afterAll(() => view?.close());

describe('speedrun view: the JSON API', () => {
  it('lists every bench and a summary row per run, without reading any node', async () => {
    const index = await getJson<IndexData>(view.url, '/api/index');
    expect(index.benches.map((b) => b.title)).toEqual(['bench', 'single', expect.stringMatching(/view-damaged-.*\/bench$/)]);
    const bench = index.benches[0]!;
    expect(bench.id).toBe('bench');
    expect(bench.spec).toMatchObject({ tracks: ['tiny'], nodes: 2 });
    expect(bench.runs.map((r) => [r.agent, r.model, r.status])).toEqual([
      ['llm', 'sim/a', 'finished'],
      ['reference', null, 'finished'],
    ]);
    const reference = bench.runs[1]!;
    expect(reference.fsr).toBeGreaterThan(0.5);
    expect(reference.best?.node).toBeGreaterThan(0);
    // Summaries only: no node's note, log or call is in the list.
    expect(JSON.stringify(index)).not.toMatch(/Simulated change|val_loss:|"messages"/);
    const single = index.benches[1]!;
    expect(single.runs).toHaveLength(1);
    expect(single.runs[0]).toMatchObject({ agent: 'reference', record: 1, status: 'finished' });
  });

  it('gives a run its search tree, FSR by step and integrity, and a node its diff, log, audit and model calls', async () => {
    const index = await getJson<IndexData>(view.url, '/api/index');
    const [llm, reference] = index.benches[0]!.runs;
    const run = await getJson<RunData>(view.url, `/api/run/bench/${reference!.id}`);
    expect(run.nodes.map((n) => [n.node, n.parent, n.operator, n.status])).toEqual([
      [0, null, 'baseline', 'ok'],
      [1, 0, 'draft', 'ok'],
      [2, 0, 'draft', 'ok'],
    ]);
    expect(run.fsr_by_step).toHaveLength(3);
    expect(run.fsr_by_step.at(-1)).toBe(reference!.fsr);
    expect(run.integrity?.status).toBeDefined();
    expect(run.damaged).toEqual([]);

    const node = await getJson<NodeData>(view.url, `/api/node/bench/${llm!.id}/1`);
    expect(node.row).toMatchObject({ node: 1, parent: 0, status: 'ok' });
    expect(node.diff).toContain('+++ node-1/train_gpt.py');
    const lines = node.log.stdout!.split('\n');
    expect(node.log.metric_lines.length).toBeGreaterThan(5);
    for (const n of node.log.metric_lines) expect(lines[n - 1]).toMatch(/^step:\d+\/\d+ val_loss:/);
    expect(lines[0]).not.toMatch(/val_loss/);
    expect(node.log.metric_lines).not.toContain(1);
    expect(node.result?.integrity?.verdict).toBe('ok');
    expect(node.calls).toHaveLength(1);
    expect(node.calls[0]).toMatchObject({ purpose: 'propose', model: 'sim/a' });
    expect(node.calls[0]!.request.messages[0]!.role).toBe('system');
    expect(node.calls[0]!.response?.content).toContain('Simulated change 1');
    expect(node.problems).toEqual([]);
  });

  it('answers 404 for a bench, run or node it does not know', async () => {
    for (const path of ['/api/run/bench/nope', '/api/run/nope/x', '/api/node/bench/nope/1', '/api/nope', '/api/', '/nope.html']) {
      expect((await get(view.url, path)).status, path).toBe(404);
    }
    const index = await getJson<IndexData>(view.url, '/api/index');
    expect((await get(view.url, `/api/node/bench/${index.benches[0]!.runs[0]!.id}/99`)).status).toBe(404);
  });
});

describe('speedrun view: damaged runs', () => {
  it('lists a run with a truncated run.json as damaged, with the reason, and reads the others', async () => {
    const index = await getJson<IndexData>(view.url, '/api/index');
    const copy = index.benches[2]!;
    expect(copy.runs).toHaveLength(2); // the linked run folder is not one of them
    const [llm, reference] = copy.runs;
    expect(reference).toMatchObject({ status: 'damaged', damaged: { file: 'run.json' } });
    expect(reference!.damaged!.reason).toMatch(/not valid JSON.*truncated/);
    expect(llm).toMatchObject({ status: 'finished', agent: 'llm' });
    const damagedRun = await getJson<RunData>(view.url, `/api/run/${copy.id}/${reference!.id}`);
    expect(damagedRun.damaged[0]).toMatchObject({ file: 'run.json' });
    expect(damagedRun.nodes.map((n) => n.status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('shows a node with a truncated result.json as damaged and the run’s other nodes as they are', async () => {
    const index = await getJson<IndexData>(view.url, '/api/index');
    const copy = index.benches[2]!;
    const run = await getJson<RunData>(view.url, `/api/run/${copy.id}/${copy.runs[0]!.id}`);
    expect(run.nodes.map((n) => n.status)).toEqual(['ok', 'damaged', 'ok']);
    expect(run.nodes[1]!.damaged).toMatchObject({ file: 'nodes/1/result.json' });
    expect(run.damaged.map((d) => d.file)).toEqual(['nodes/1/result.json']);
    const node = await getJson<NodeData>(view.url, `/api/node/${copy.id}/${copy.runs[0]!.id}/1`);
    expect(node.row.status).toBe('damaged');
    expect(node.diff).toContain('+++ node-1/train_gpt.py');
  });
});

describe('speedrun view: nothing outside the results folders', () => {
  it('refuses encoded `..`, absolute paths and anything but the app and /api/<key>', async () => {
    const index = await getJson<IndexData>(view.url, '/api/index');
    const run = index.benches[0]!.runs[0]!.id;
    const attempts = [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/api/run/bench/..%2F..%2F..%2Fetc%2Fpasswd',
      '/api/run/..%2f..%2f..%2fetc/passwd',
      `/api/node/bench/${run}/..%2F..%2Frun.json`,
      `/api/node/bench/${run}/1%2F..%2F..%2F..%2Fetc%2Fpasswd`,
      '/api/run/%2Fetc/passwd',
      '/api/run/bench/%2Fetc%2Fpasswd',
      '//etc/passwd',
      '/etc/passwd',
      '/app.js/../../package.json',
      '/package.json',
      '/view/app.js',
      '/api/index/..',
      '/api/%E0%A4%A',
      `/api/node/bench/${run}/1e3`,
      `/api/node/bench/${run}/-1`,
      `/api/run/bench/${run}/nodes/1/stdout.log`,
      `/${join(results.bench, 'bench.json')}`,
    ];
    for (const path of attempts) {
      const res = await get(view.url, path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toMatch(/root:|"version"|speedrun-bench/);
    }
  });

  it('never serves a file that is a link to outside the results folder; it names it instead', async () => {
    const index = await getJson<IndexData>(view.url, '/api/index');
    const copy = index.benches[2]!;
    const res = await get(view.url, `/api/node/${copy.id}/${copy.runs[0]!.id}/2`);
    expect(res.status).toBe(200);
    expect(res.body.includes(SECRET), 'the secret outside the results folder was served').toBe(false);
    const node = JSON.parse(res.body) as NodeData;
    expect(node.log.stdout).toBeNull();
    expect(node.problems).toEqual([{ file: 'nodes/2/stdout.log', reason: 'a link outside the results folder; not read' }]);
    expect(node.diff).toContain('+++ node-2/train_gpt.py');
    expect(JSON.stringify(index)).not.toContain('linked-run');
  });

  it('is read-only and answers loopback names only', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) expect((await get(view.url, '/api/index', {}, method)).status, method).toBe(405);
    expect((await get(view.url, '/api/index', { host: 'attacker.example' })).status).toBe(421);
    expect((await get(view.url, '/api/index', { host: 'localhost:1234' })).status).toBe(200);
  });
});

describe('speedrun view: the command', () => {
  it('listens on 127.0.0.1 by default and serves the app and its API', async () => {
    const served = await startView([results.bench]);
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await get(served.url, '/');
      expect(page.status).toBe(200);
      expect(page.body).toContain('data-mode="server"');
      expect(page.body).toContain('<script src="app.js">');
      expect((await get(served.url, '/app.js')).body).toContain('SPEEDRUN_VIEW_DATA');
      const index = await getJson<IndexData>(served.url, '/api/index');
      expect(index.benches.map((b) => b.runs.length)).toEqual([2]);
    } finally {
      await stopView(served);
    }
  });

  it('writes the same data as script files with --bundle, one per index, run and node', async () => {
    const out = join(await tempDir('view-bundle'), 'site');
    const made = await speedrun(['view', results.bench, '--bundle', out]);
    expect(made.exitCode, made.stderr).toBe(0);
    expect(made.stdout.trim()).toBe(join(out, 'index.html'));
    expect(await readFile(join(out, 'index.html'), 'utf8')).toContain('data-mode="bundle"');
    const served = await getJson<IndexData>(view.url, '/api/index');
    const read = async (key: string) => {
      const sandbox = { window: {} as { SPEEDRUN_VIEW_DATA?: Record<string, unknown> } };
      runInNewContext(await readFile(join(out, 'data', `${key}.js`), 'utf8'), sandbox);
      return sandbox.window.SPEEDRUN_VIEW_DATA![key];
    };
    const index = (await read('index')) as IndexData;
    expect(index.benches).toEqual([served.benches[0]]);
    const run = index.benches[0]!.runs[0]!.id;
    expect(await read(`run/bench/${run}`)).toEqual(await getJson(view.url, `/api/run/bench/${run}`));
    expect(await read(`node/bench/${run}/1`)).toEqual(await getJson(view.url, `/api/node/bench/${run}/1`));
    expect(await read(`curves/bench/${run}`)).toEqual(await getJson(view.url, `/api/curves/bench/${run}`));
    expect((await readdir(join(out, 'data', 'node', 'bench', run))).sort()).toEqual(['0.js', '1.js', '2.js']);

    // A folder that holds something else is not overwritten.
    const taken = await tempDir('view-taken');
    await mkdir(join(taken, 'notes'));
    const refused = await speedrun(['view', results.bench, '--bundle', taken]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('is not empty');
  });
});

/**
 * The pages' content beyond the tree (docs/view.md): loss curves, a node against the true next record, the run's
 * analyses and a chain. The analyses are real files, made by `speedrun judge`, `ideas` and `distance` against the
 * loopback model stub; the chain by `speedrun chain` on the simulated executor.
 */
describe('speedrun view: curves, the true next record, analyses and chains', () => {
  let stub: LlmStub;
  let analysed: string;
  let chainDir: string;
  let content: ViewServer;
  const VERDICT = {
    score: 0.75,
    implemented: [{ change: 'peak learning rate raised to 9e-4', verdict: 'faithful' }],
    other_changes: ['a comment'],
    reasons: 'The learning-rate change is there.',
  };

  beforeAll(async () => {
    // One reply per call, whichever command asks: the judge's rubric names its verdicts, the ideas prompt does not.
    const reply: StubReply = (request) => {
      const { messages } = request.body as { messages: { content: string }[] };
      const judging = messages[0]!.content.includes('"faithful"');
      const answer = judging ? VERDICT : { primary: 'optimizer', secondary: [], reason: 'tunes the optimizer' };
      return { content: JSON.stringify(answer), usage: { prompt_tokens: 100, completion_tokens: 20 } };
    };
    const replies = Array.from({ length: 12 }, () => reply);
    stub = await startLlmStub(replies);
    const dir = await tempDir('view-analysed');
    analysed = join(dir, 'analysed');
    await cp(results.bench, analysed, { recursive: true });
    const config = join(dir, 'speedrun.config.yaml');
    const profile = (name: string) => `  ${name}:\n    base_url: ${stub.baseUrl}\n    model: ${STUB_MODEL}\n    api_key_env: null\n    max_retries: 0\n`;
    await writeFile(config, `models:\n${profile('judge-m')}${profile('cls-m')}${profile('emb')}`);
    for (const [command, model] of [
      ['judge', 'judge-m'],
      ['ideas', 'cls-m'],
      ['distance', 'emb'],
    ]) {
      const made = await speedrun([command!, analysed, '--model', model!, '--config', config, '--json'], results.env);
      expect(made.exitCode, `${command}: ${made.stderr}`).toBe(0);
    }
    chainDir = join(dir, 'chain');
    const chained = await speedrun(
      ['chain', '--track', 'tiny', '--from', '1', '--to', '3', '--agent', 'reference', '--executor', 'sim', '--out', chainDir, '--json'],
      results.env,
    );
    expect(chained.exitCode, chained.stderr).toBe(0);
    content = await startViewServer([analysed, chainDir], '127.0.0.1', 0, { cache: cacheLayout(results.env.SPEEDRUN_CACHE!) });
  }, 300_000);

  afterAll(async () => {
    await content?.close();
    await stub?.close();
  });

  const runsOf = async (bench: string) => (await getJson<IndexData>(content.url, '/api/index')).benches.find((b) => b.id === bench)!.runs;

  it('gives every node’s val-loss curve, the record’s own curve (node 0) and record i+1’s (the scoring round), and the target', async () => {
    const reference = (await runsOf('analysed')).find((r) => r.agent === 'reference')!;
    const curves = await getJson<CurvesData>(content.url, `/api/curves/analysed/${reference.id}`);
    expect(curves).toMatchObject({ track: 'tiny', record: 1, target_val_loss: 1.9, problems: [] });
    expect(curves.nodes.map((n) => n.node)).toEqual([0, 1, 2]);
    // The points are the log's validation lines as the harness parses them: the node's own final line is the last.
    const node1 = await getJson<NodePage>(content.url, `/api/node/analysed/${reference.id}/1`);
    expect(curves.nodes[1]!.points.at(-1)).toEqual([node1.result!.final!.step, node1.result!.final!.train_time_ms, node1.result!.final!.val_loss]);
    expect(curves.nodes[1]!.points.length).toBe(node1.log.metric_lines.length);
    const [record, next] = curves.references;
    expect(record).toMatchObject({ id: 'record', file: 'nodes/0/stdout.log', points: curves.nodes[0]!.points });
    expect(record!.label).toContain('record 1 (its own script, node 0');
    expect(next).toMatchObject({ id: 'next', file: 'scoring/next-r1/stdout.log' });
    expect(next!.label).toContain('record 2');
    expect(curves.reference_notes[0]).toMatch(/catalog keeps no training log of record 1/);
    // The run key stays as it was: the curves are a key of their own.
    expect(JSON.stringify(await getJson(content.url, `/api/run/analysed/${reference.id}`))).not.toContain('"points"');
  });

  it('draws the curves of a damaged run it can read, and names what it cannot', async () => {
    const copy = (await getJson<IndexData>(view.url, '/api/index')).benches[2]!;
    const [llm, reference] = copy.runs;
    // run.json cut off: no target, no scoring round; the nodes' logs still give their curves and node 0 the record's.
    const cut = await getJson<CurvesData>(view.url, `/api/curves/${copy.id}/${reference!.id}`);
    expect(cut.problems.map((p) => p.file)).toEqual(['run.json']);
    expect(cut.nodes.map((n) => n.node)).toEqual([0, 1, 2]);
    expect(cut.references.map((r) => r.id)).toEqual(['record']);
    // A log that is a link out of the results folder is named, never read.
    const linked = await getJson<CurvesData>(view.url, `/api/curves/${copy.id}/${llm!.id}`);
    expect(linked.nodes.map((n) => n.node)).toEqual([0, 1]);
    expect(linked.problems).toEqual([{ file: 'nodes/2/stdout.log', reason: 'a link outside the results folder; not read' }]);
  });

  it('shows a node beside the true next record, with its diff overlap', async () => {
    const [llm, reference] = await runsOf('analysed');
    // The reference agent's node 1 is record 2's script: nothing left to the record, all of the true change made.
    const made = await getJson<NodePage>(content.url, `/api/node/analysed/${reference!.id}/1`);
    expect(made.true_diff).toMatchObject({ record: 1, next_record: 2, to_next: '', note: null });
    expect(made.true_diff.true_diff).toContain('+    learning_rate = 9e-4');
    expect(made.true_diff.overlap).toMatchObject({ recall: 1, precision: 1, hunks_reproduced: 1, hunks_total: 1 });
    // The baseline changed nothing: all of the true change is still to make.
    const base = await getJson<NodePage>(content.url, `/api/node/analysed/${llm!.id}/0`);
    expect(base.true_diff.overlap).toMatchObject({ recall: 0, precision: null, node_lines: 0 });
    expect(base.true_diff.to_next).toContain('+++ record-2/train_gpt.py');
    expect(base.true_diff.to_next).toContain('+    learning_rate = 9e-4');
  });

  it('says so where record i+1 is not in the catalog', async () => {
    const copy = join(await tempDir('view-last'), 'last');
    const [, reference] = await runsOf('analysed');
    await cp(join(analysed, reference!.id), join(copy, reference!.id), { recursive: true });
    const runJson = join(copy, reference!.id, 'run.json');
    const file = JSON.parse(await readFile(runJson, 'utf8')) as { config: { record: number }; result: { record: number } };
    file.config.record = 6;
    file.result.record = 6;
    await writeFile(runJson, JSON.stringify(file));
    const served = await startViewServer([copy], '127.0.0.1', 0, { cache: null });
    try {
      const node = await getJson<NodePage>(served.url, `/api/node/last/${reference!.id}/1`);
      expect(node.true_diff).toMatchObject({ record: 6, next_record: null, true_diff: null, overlap: null });
      expect(node.true_diff.note).toBe('record 7 is not in the tiny catalog (its last record is 6)');
      expect(node.diff).toContain('+++ node-1/train_gpt.py');
    } finally {
      await served.close();
    }
  });

  it('gives a run its judge, distance and ideas files as their schemas read them', async () => {
    const [llm, reference] = await runsOf('analysed');
    const run = await getJson<RunPage>(content.url, `/api/run/analysed/${reference!.id}`);
    expect(run.analyses.problems).toEqual([]);
    expect(run.analyses.judge).toMatchObject({ score: 0.75, node: reference!.best!.node, implemented: VERDICT.implemented, reasons: VERDICT.reasons });
    expect(run.analyses.distance).toMatchObject({ record: 1, next_record: 2, node: reference!.best!.node });
    expect(run.analyses.distance!.distance_to_next.cosine).toBeGreaterThanOrEqual(0);
    expect(run.analyses.ideas!.nodes.map((n) => [n.node, n.primary])).toEqual([
      [1, 'optimizer'],
      [2, 'optimizer'],
    ]);
    expect(run.analyses.ideas!.entropy_bits).toBe(0);
    const other = await getJson<RunPage>(content.url, `/api/run/analysed/${llm!.id}`);
    expect(other.analyses.ideas?.run_id).toBe(llm!.run_id);
    // A run never analysed has none, and says nothing is wrong.
    const plain = await getJson<RunPage>(view.url, `/api/run/bench/${reference!.id}`);
    expect(plain.analyses).toEqual({ judge: null, distance: null, ideas: null, problems: [] });
  });

  it('names a damaged analysis file with its reason and still shows the run', async () => {
    const copy = join(await tempDir('view-bad-analysis'), 'bad');
    await cp(analysed, copy, { recursive: true });
    const [, reference] = await runsOf('analysed');
    const judgeFile = join(copy, reference!.id, 'judge.json');
    await writeFile(judgeFile, (await readFile(judgeFile, 'utf8')).slice(0, 40));
    const ideasFile = join(copy, reference!.id, 'ideas.json');
    await writeFile(ideasFile, JSON.stringify({ ...JSON.parse(await readFile(ideasFile, 'utf8')), entropy_bits: 'high' }));
    const served = await startViewServer([copy], '127.0.0.1', 0, { cache: null });
    try {
      const run = await getJson<RunPage>(served.url, `/api/run/bad/${reference!.id}`);
      expect(run.analyses.judge).toBeNull();
      expect(run.analyses.ideas).toBeNull();
      expect(run.analyses.distance).not.toBeNull();
      expect(run.analyses.problems.map((p) => p.file)).toEqual(['judge.json', 'ideas.json']);
      expect(run.analyses.problems[0]!.reason).toMatch(/not valid JSON.*truncated/);
      expect(run.analyses.problems[1]!.reason).toMatch(/entropy_bits/);
      expect(run.nodes.map((n) => n.status)).toEqual(['ok', 'ok', 'ok']);
      expect(run.damaged).toEqual([]);
    } finally {
      await served.close();
    }
  });

  it('lists a chain’s steps in order with where each started, its start time and FSR, and a changed start script as a problem', async () => {
    const steps = await runsOf('chain');
    const chain = await getJson<ChainData>(content.url, '/api/chain/chain');
    expect(chain.problems).toEqual([]);
    expect(chain.steps.map((s) => [s.step, s.record, s.start.from, s.start_text, s.status])).toEqual([
      [0, 1, 'record', 'record 1', 'finished'],
      [1, 2, 'best', `step 0's node ${steps.find((r) => r.record === 1)!.best!.node}`, 'finished'],
    ]);
    for (const step of chain.steps) {
      expect(step.fsr).toBe(steps.find((r) => r.id === step.run)!.fsr);
      expect(step.start_ms).toBeGreaterThan(0);
    }
    expect(chain.steps[1]!.start.file).toBe('chain/step-1.py');

    const copy = join(await tempDir('view-chain-changed'), 'chain');
    await cp(chainDir, copy, { recursive: true });
    await writeFile(join(copy, 'chain', 'step-1.py'), '# edited by hand\n', { flag: 'a' });
    const served = await startViewServer([copy], '127.0.0.1', 0, { cache: null });
    try {
      const changed = await getJson<ChainData>(served.url, '/api/chain/chain');
      expect(changed.steps).toHaveLength(2);
      expect(changed.problems).toEqual([{ file: 'chain/step-1.py', reason: 'does not match the sha256 in chain/step-1.json: the start script was changed' }]);
      expect((await get(served.url, '/api/chain/nope')).status).toBe(404);
    } finally {
      await served.close();
    }
  });
});
