import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/core/catalog/files.js';
import { unifiedDiff } from '../src/core/judge/judge-inputs.js';
import { loadJudgePrompts } from '../src/core/judge/judge-prompts.js';
import { Report } from '../src/core/report/schema.js';
import { LlmCallRecord } from '../src/core/store/call-record.js';
import { JudgeFile } from '../src/core/store/judge-file.js';
import { RunSummary } from '../src/core/store/schema.js';
import { tinyScript } from './helpers/agent-fixtures.js';
import { speedrun } from './helpers/cli.js';
import { startLlmStub, STUB_MODEL, type LlmStub, type StubRequest } from './helpers/llm-stub.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);
let stub: LlmStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const VERDICT = {
  score: 0.8,
  implemented: [
    { change: 'AdamW learning rate raised', verdict: 'faithful' },
    { change: 'warmup shortened', verdict: 'partial' },
  ],
  other_changes: ['comment edits'],
  reasons: 'The learning rate change is there; the warmup only partly.',
};
const answer = (verdict: object = VERDICT) => ({ content: JSON.stringify(verdict), usage: { prompt_tokens: 3000, completion_tokens: 200 } });

// Real runs made by the CLI (tiny record 1, simulated training): the reference agent's best node is record 2,
// the null agent's is record 1 itself.
let pristine: string;
let runs: { reference: RunSummary; null: RunSummary };
beforeAll(async () => {
  pristine = await tempDir('judge-runs');
  const made: Record<string, RunSummary> = {};
  for (const agent of ['reference', 'null']) {
    const ran = await speedrun(['run', '--track', 'tiny', '--record', '1', '--agent', agent, '--executor', 'sim', '--out', pristine, '--json'], {
      SPEEDRUN_CACHE: join(pristine, '..', 'judge-cache'),
    });
    expect(ran.exitCode, ran.stderr).toBe(0);
    made[agent] = RunSummary.parse(JSON.parse(ran.stdout));
  }
  runs = { reference: made.reference!, null: made.null! };
}, 120_000);

/** A fresh copy of the runs and a config whose profile `judge-m` points at the stub, with prices. */
async function workspace(baseUrl: string): Promise<{ results: string; config: string; refDir: string; nullDir: string }> {
  const dir = await tempDir('judge');
  const results = join(dir, 'results');
  await cp(pristine, results, { recursive: true });
  const config = join(dir, 'speedrun.config.yaml');
  await writeFile(
    config,
    `models:\n  judge-m:\n    base_url: ${baseUrl}\n    model: ${STUB_MODEL}\n    api_key_env: null\n    max_retries: 0\n    prices: { input_per_million: 1, output_per_million: 2 }\n`,
  );
  return { results, config, refDir: join(results, runs.reference.run_id), nullDir: join(results, runs.null.run_id) };
}

const judge = (results: string, config: string, ...extra: string[]) =>
  speedrun(['judge', results, '--model', 'judge-m', '--config', config, '--json', ...extra]);
const readJudge = async (runDir: string) => JudgeFile.parse(JSON.parse(await readFile(join(runDir, 'judge.json'), 'utf8')));
const readCalls = async (runDir: string) =>
  (await readFile(join(runDir, 'judge-calls.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => LlmCallRecord.parse(JSON.parse(line)));
const messagesOf = (request: StubRequest) => (request.body as { messages: Array<{ role: string; content: string }> }).messages;

describe('speedrun judge', () => {
  it('judges the best node against the true change: judge.json, the recorded priced call, and the report’s columns and chart', async () => {
    stub = await startLlmStub([answer()]);
    const w = await workspace(stub.baseUrl);
    const ran = await judge(w.results, w.config);
    expect(ran.exitCode, ran.stderr).toBe(0);
    const out = JSON.parse(ran.stdout) as { runs: Array<{ run_id: string; status: string; score: number; node: number }>; failed: unknown[] };
    expect(out.failed).toEqual([]);
    const byId = new Map(out.runs.map((r) => [r.run_id, r]));
    expect(byId.get(runs.reference.run_id)).toMatchObject({ status: 'judged', score: 0.8, node: 1 });
    // The null agent's best is record 1 itself: 0 without a call.
    expect(byId.get(runs.null.run_id)).toMatchObject({ status: 'no-change', score: 0, node: 0 });

    // One call, holding the rubric, the true change (record 1 → 2) and the node's change.
    expect(stub.chatRequests()).toHaveLength(1);
    const [system, user] = messagesOf(stub.chatRequests()[0]!);
    expect(system!.content).toContain('"faithful"');
    const [r1, r2] = [await tinyScript(1), await tinyScript(2)];
    const trueDiff = unifiedDiff('record-1/train_gpt.py', 'record-2/train_gpt.py', r1, r2);
    expect(user!.content).toContain(trueDiff.trimEnd());
    expect(user!.content).toContain('node 1 against record 1');
    expect(user!.content).not.toContain('level 0'); // the tiny track has no upstream diff

    const prompts = await loadJudgePrompts();
    const file = await readJudge(w.refDir);
    expect(file).toMatchObject({
      ...VERDICT,
      run_id: runs.reference.run_id,
      node: 1,
      model: 'judge-m',
      model_id: STUB_MODEL,
      prompt_version: 'v1',
      prompt_sha256: prompts.sha256,
      true_diff_sha256: sha256Hex(trueDiff),
      level0_diff_sha256: null,
      source: 'endpoint',
      calls: 1,
      malformed_answers: 0,
      usage: { prompt_tokens: 3000, completion_tokens: 200 },
    });
    expect(file.usage.cost_usd).toBeCloseTo((3000 * 1 + 200 * 2) / 1e6, 12);
    const calls = await readCalls(w.refDir);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ node: 1, purpose: 'judge', model: 'judge-m', usage: { prompt_tokens: 3000, completion_tokens: 200 } });
    expect(calls[0]!.cost_usd).toBeCloseTo(0.0034, 12);
    expect((await readJudge(w.nullDir)).source).toBe('no-change');

    const reported = await speedrun(['report', w.results, '--json']);
    expect(reported.exitCode, reported.stderr).toBe(0);
    const reportDir = join(w.results, 'report');
    const report = Report.parse(JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8')));
    const rows = new Map(report.runs.map((r) => [r.run_id, r]));
    expect(rows.get(runs.reference.run_id)).toMatchObject({ judge_score: 0.8, judge_model: 'judge-m' });
    expect(rows.get(runs.null.run_id)).toMatchObject({ judge_score: 0, judge_model: 'judge-m' });
    expect(report.judge).toMatchObject({ judged: 2, models: ['judge-m'], prompt_versions: ['v1'] });
    expect(report.judge!.rows.find((r) => r.configuration.includes('reference'))).toMatchObject({ judged: 1, mean_score: 0.8 });
    expect(report.judge!.rows.find((r) => r.configuration.includes('null'))).toMatchObject({ judged: 1, mean_score: 0, mean_fsr: 0 });
    expect(report.judge!.points).toHaveLength(2);
    const md = await readFile(join(reportDir, 'report.md'), 'utf8');
    expect(md).toMatch(/## Judged reproduction[\s\S]*\| reference \| 1 \| 1 \| 0\.800 \|/);
    const html = await readFile(join(reportDir, 'report.html'), 'utf8');
    expect(html).toMatch(/<figure class="chart" id="chart-judge-vs-fsr"><svg/);
    expect(html).toContain('Judge score against FSR');
    const csv = (await readFile(join(reportDir, 'runs.csv'), 'utf8')).split('\n');
    // The columns by name: other analyses add theirs beside them.
    const header = csv[0]!.split(',');
    const row = csv.find((l) => l.startsWith(runs.reference.run_id))!.split(',');
    expect([row[header.indexOf('judge_score')], row[header.indexOf('judge_model')]]).toEqual(['0.8', 'judge-m']);
  });

  it('reuses judge.json without any request when nothing changed, asks again with --force, and replays with the endpoint gone', async () => {
    stub = await startLlmStub([answer()]);
    const w = await workspace(stub.baseUrl);
    expect((await judge(w.results, w.config)).exitCode).toBe(0);
    const first = await readJudge(w.refDir);
    const requests = stub.requests.length;

    // No reply is queued: any chat request would fail the run.
    const again = await judge(w.results, w.config);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).runs.find((r: { run_id: string }) => r.run_id === runs.reference.run_id)).toMatchObject({ status: 'cached', score: 0.8 });
    expect(stub.requests.length).toBe(requests); // not even the endpoint check
    expect(await readJudge(w.refDir)).toEqual(first);

    stub.enqueue(answer({ ...VERDICT, score: 0.6 }));
    const forced = await judge(w.results, w.config, '--force');
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect((await readJudge(w.refDir)).score).toBe(0.6);
    expect(await readCalls(w.refDir)).toHaveLength(2);

    // The endpoint is gone: the latest recorded judging rebuilds judge.json, nothing is appended.
    await stub.close();
    stub = undefined;
    await writeFile(join(w.refDir, 'judge.json'), '{"broken": true}');
    const replayed = await speedrun(['judge', w.results, '--replay', '--json']);
    expect(replayed.exitCode, replayed.stderr).toBe(0);
    expect(JSON.parse(replayed.stdout).runs.find((r: { run_id: string }) => r.run_id === runs.reference.run_id)).toMatchObject({
      status: 'replayed',
      score: 0.6,
    });
    const rebuilt = await readJudge(w.refDir);
    expect(rebuilt).toMatchObject({ source: 'replay', score: 0.6, model: 'judge-m', model_id: STUB_MODEL, calls: 1 });
    expect(rebuilt.usage.cost_usd).toBeCloseTo(0.0034, 12);
    expect(await readCalls(w.refDir)).toHaveLength(2);
  });

  it('gives malformed answers back with the reason until one is usable, and replays the same exchange', async () => {
    stub = await startLlmStub([{ content: 'I think it is a good reproduction.' }, { content: '```json\n{"score": 0.5}\n```' }, answer()]);
    const w = await workspace(stub.baseUrl);
    const ran = await judge(w.results, w.config);
    expect(ran.exitCode, ran.stderr).toBe(0);
    const chats = stub.chatRequests();
    expect(chats).toHaveLength(3);
    const second = messagesOf(chats[1]!);
    expect(second.at(-2)).toEqual({ role: 'assistant', content: 'I think it is a good reproduction.' });
    expect(second.at(-1)!.content).toContain('could not be used: it holds no JSON object');
    expect(messagesOf(chats[2]!).at(-1)!.content).toMatch(/implemented is missing; other_changes is missing; reasons is missing/);
    const file = await readJudge(w.refDir);
    expect(file).toMatchObject({ score: 0.8, calls: 3, malformed_answers: 2, usage: { prompt_tokens: 3020, completion_tokens: 210 } });
    expect((await readCalls(w.refDir)).map((c) => c.purpose)).toEqual(['judge', 'judge-retry', 'judge-retry']);

    await stub.close();
    stub = undefined;
    const replayed = await speedrun(['judge', w.refDir, '--replay', '--json']);
    expect(replayed.exitCode, replayed.stderr).toBe(0);
    expect(await readJudge(w.refDir)).toMatchObject({ source: 'replay', score: 0.8, calls: 3, malformed_answers: 2 });
  });

  it('rejects a score of 1.4 like any malformed answer, then reports the run as failed, judges the others and exits non-zero', async () => {
    const outOfRange = answer({ ...VERDICT, score: 1.4 });
    stub = await startLlmStub([outOfRange, outOfRange]);
    const w = await workspace(stub.baseUrl);
    const ran = await judge(w.results, w.config, '--answer-retries', '1');
    expect(ran.exitCode).toBe(3);
    expect(stub.chatRequests()).toHaveLength(2);
    expect(messagesOf(stub.chatRequests()[1]!).at(-1)!.content).toContain('score 1.4 is outside [0, 1]');
    const out = JSON.parse(ran.stdout) as { runs: Array<{ run_id: string }>; failed: Array<{ run_id: string; error: string }> };
    expect(out.runs.map((r) => r.run_id)).toEqual([runs.null.run_id]);
    expect(out.failed).toEqual([expect.objectContaining({ run_id: runs.reference.run_id, error: expect.stringContaining('score 1.4 is outside [0, 1]') })]);
    expect(ran.stderr).toMatch(new RegExp(`1 run not judged \\(1 judged\\):\\n.*${runs.reference.run_id}: LLM judge: no usable verdict in 2 answers`));
    expect(await readdir(w.refDir)).not.toContain('judge.json');
    expect(await readCalls(w.refDir)).toHaveLength(2); // both answers kept
  });

  it('reports an endpoint that refuses the call as that run’s failure (exit 3), the call recorded with its error', async () => {
    stub = await startLlmStub([{ status: 401, body: { error: { message: 'bad key' } } }]);
    const w = await workspace(stub.baseUrl);
    const ran = await judge(w.results, w.config);
    expect(ran.exitCode).toBe(3);
    expect(JSON.parse(ran.stdout).failed[0]).toMatchObject({ run_id: runs.reference.run_id, error: expect.stringMatching(/LLM endpoint: HTTP 401/) });
    const [call] = await readCalls(w.refDir);
    expect(call).toMatchObject({ purpose: 'judge', response: null, error: { kind: 'auth', status: 401 } });
  });

  it('refuses a replay that has no recorded judging, naming the file', async () => {
    const w = await workspace('http://127.0.0.1:9/v1');
    const ran = await speedrun(['judge', w.refDir, '--replay']);
    expect(ran.exitCode).toBe(2);
    expect(ran.stderr).toMatch(/judge-calls\.jsonl holds no judging of node 1/);
  });
});
