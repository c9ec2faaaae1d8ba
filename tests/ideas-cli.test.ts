import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IdeasFile } from '../src/core/ideas/ideas-file.js';
import { loadIdeaPrompts } from '../src/core/ideas/idea-prompts.js';
import { spearman } from '../src/core/report/ideas-section.js';
import { pearson } from '../src/core/report/judge-section.js';
import { Report } from '../src/core/report/schema.js';
import { LlmCallRecord } from '../src/core/store/call-record.js';
import { RunSummary } from '../src/core/store/schema.js';
import { speedrun } from './helpers/cli.js';
import { startLlmStub, STUB_MODEL, type LlmStub, type StubReply, type StubRequest } from './helpers/llm-stub.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);
let stub: LlmStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

// Real runs made by the CLI on the tiny track with simulated training: two built-in LLM agents on simulated models
// (four drafts each), and an exec agent that appends a distinct line per node and fails on node 2 (no script).
const EXEC_CMD = 'if [ "$SPEEDRUN_NODE" = 2 ]; then exit 1; fi; printf "\\nidea_%s = %s\\n" "$SPEEDRUN_NODE" "$SPEEDRUN_NODE" >> train_gpt.py';
let pristine: string;
const ids: Record<'simA' | 'simB' | 'exec', string> = { simA: '', simB: '', exec: '' };
beforeAll(async () => {
  pristine = await tempDir('ideas-runs');
  const env = { SPEEDRUN_CACHE: join(pristine, '..', 'ideas-cache') };
  const base = ['run', '--track', 'tiny', '--record', '1', '--executor', 'sim', '--nodes', '4', '--out', pristine, '--json'];
  const made = async (agent: string[]) => {
    const ran = await speedrun([...base, ...agent], env);
    expect(ran.exitCode, ran.stderr).toBe(0);
    return RunSummary.parse(JSON.parse(ran.stdout)).run_id;
  };
  ids.simA = await made(['--agent', 'llm', '--model', 'sim/a']);
  ids.simB = await made(['--agent', 'llm', '--model', 'sim/b']);
  ids.exec = await made(['--agent', 'exec', '--agent-cmd', EXEC_CMD]);
}, 180_000);

async function workspace(baseUrl: string): Promise<{ results: string; config: string; dir: (id: string) => string }> {
  const dir = await tempDir('ideas');
  const results = join(dir, 'results');
  await cp(pristine, results, { recursive: true });
  const config = join(dir, 'speedrun.config.yaml');
  await writeFile(
    config,
    `models:\n  cls-m:\n    base_url: ${baseUrl}\n    model: ${STUB_MODEL}\n    api_key_env: null\n    max_retries: 0\n    prices: { input_per_million: 1, output_per_million: 2 }\n`,
  );
  return { results, config, dir: (id) => join(results, id) };
}

const messagesOf = (request: StubRequest) => (request.body as { messages: Array<{ role: string; content: string }> }).messages;
const answer = (primary: string, secondary: string[] = []): StubReply => ({
  content: JSON.stringify({ primary, secondary, reason: `looks like ${primary}` }),
  usage: { prompt_tokens: 1000, completion_tokens: 50 },
});
const nodeOf = (request: StubRequest) => Number(/## The draft: node (\d+)/.exec(messagesOf(request)[1]!.content)![1]);

/** sim/a: 4 × optimizer (0 bits); sim/b: 2 optimizer + 2 attention (1 bit); exec: optimizer, attention, schedule (log2 3). */
const BY_RUN: StubReply = (request) => {
  const user = messagesOf(request)[1]!.content;
  const node = nodeOf(request);
  if (user.includes('_sim_variant = "sim/a')) return answer('optimizer');
  if (user.includes('_sim_variant = "sim/b')) return answer(node <= 2 ? 'optimizer' : 'attention', ['schedule']);
  return answer(({ 1: 'optimizer', 3: 'attention', 4: 'schedule' } as Record<number, string>)[node]!);
};

const ideas = (results: string, config: string, ...extra: string[]) => speedrun(['ideas', results, '--model', 'cls-m', '--config', config, '--json', ...extra]);
const readIdeas = async (runDir: string) => IdeasFile.parse(JSON.parse(await readFile(join(runDir, 'ideas.json'), 'utf8')));
const readCalls = async (runDir: string) =>
  (await readFile(join(runDir, 'ideas-calls.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => LlmCallRecord.parse(JSON.parse(line)));

describe('speedrun ideas', () => {
  it('classifies every draft, computes the entropy of the first drafts, and the report shows it beside FSR', async () => {
    stub = await startLlmStub(Array.from({ length: 11 }, () => BY_RUN));
    const w = await workspace(stub.baseUrl);
    const ran = await ideas(w.results, w.config);
    expect(ran.exitCode, ran.stderr).toBe(0);
    expect(stub.chatRequests()).toHaveLength(11); // 4 + 4 + 3 drafts with a script

    const [a, b, ex] = [await readIdeas(w.dir(ids.simA)), await readIdeas(w.dir(ids.simB)), await readIdeas(w.dir(ids.exec))];
    expect(a).toMatchObject({ drafts: 4, first_k: [1, 2, 3, 4], class_counts: { optimizer: 4 }, entropy_bits: 0, skipped: [], failed: [], k: 5 });
    expect(b).toMatchObject({ class_counts: { optimizer: 2, attention: 2 }, entropy_bits: 1 });
    expect(b.nodes[3]).toMatchObject({ node: 4, parent: 0, primary: 'attention', secondary: ['schedule'], source: 'endpoint', calls: 1 });
    expect(ex).toMatchObject({ drafts: 4, first_k: [1, 3, 4], skipped: [{ node: 2, reason: 'no script (agent-failed)' }] });
    expect(ex.entropy_bits).toBeCloseTo(Math.log2(3), 12);
    const prompts = await loadIdeaPrompts();
    expect(a).toMatchObject({ model: 'cls-m', model_id: STUB_MODEL, prompt_version: 'v1', prompt_sha256: prompts.sha256, taxonomy_version: 'v1' });
    expect(a.usage).toMatchObject({ prompt_tokens: 4000, completion_tokens: 200 });
    expect(a.usage.cost_usd).toBeCloseTo((4000 + 200 * 2) / 1e6, 12);

    // The prompt holds the taxonomy, the draft's own edit.diff and its note; each call is recorded and priced.
    const execNode3 = stub.chatRequests().find((r) => messagesOf(r)[1]!.content.includes('idea_3 = 3'))!;
    const [system, user] = messagesOf(execNode3);
    expect(system!.content).toContain('- "systems/kernels": ');
    expect(user!.content).toContain((await readFile(join(w.dir(ids.exec), 'nodes', '3', 'edit.diff'), 'utf8')).trimEnd());
    const calls = await readCalls(w.dir(ids.exec));
    expect(calls.map((c) => [c.node, c.purpose])).toEqual([
      [1, 'ideas'],
      [3, 'ideas'],
      [4, 'ideas'],
    ]);
    expect(calls[0]!.cost_usd).toBeCloseTo(0.0011, 12);

    const reported = await speedrun(['report', w.results, '--json']);
    expect(reported.exitCode, reported.stderr).toBe(0);
    const reportDir = join(w.results, 'report');
    const report = Report.parse(JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8')));
    const rows = new Map(report.runs.map((r) => [r.run_id, r]));
    expect(rows.get(ids.simA)).toMatchObject({ idea_entropy: 0, idea_drafts: 4 });
    expect(rows.get(ids.simB)).toMatchObject({ idea_entropy: 1, idea_drafts: 4 });
    expect(rows.get(ids.exec)!.idea_drafts).toBe(3);
    const ideasReport = report.ideas!;
    expect(ideasReport).toMatchObject({ classified: 3, models: ['cls-m'], taxonomy_versions: ['v1'], ks: [5] });
    const rowOf = (label: string) => ideasReport.rows.find((r) => r.configuration.includes(label))!;
    expect(rowOf('sim/b')).toMatchObject({ classified: 1, mean_entropy: 1, mean_drafts: 4 });
    expect(ideasReport.class_counts.find((r) => r.configuration.includes('sim/b'))).toMatchObject({
      drafts: 4,
      counts: { optimizer: 2, attention: 2, schedule: 0 },
    });
    // The correlations are those of the points (every run here is scored).
    const points = ideasReport.points;
    expect(points).toHaveLength(3);
    const fsr = points.map((p) => p.fsr);
    const entropy = points.map((p) => p.entropy);
    expect(ideasReport.pearson).toEqual(pearson(entropy, fsr));
    expect(ideasReport.spearman).toEqual(spearman(entropy, fsr));
    expect(report.reproduction.by_configuration.find((r) => r.configuration.includes('sim/b'))).toMatchObject({ idea_runs: 1, mean_idea_entropy: 1 });

    const md = await readFile(join(reportDir, 'report.md'), 'utf8');
    expect(md).toMatch(/## Ideation diversity/);
    expect(md).toMatch(/\| [^|]*sim\/b[^|]* \| 1 \| 1 \| 1\.000 \| 4\.0 \|/);
    expect(md).toMatch(/## Idea classes[\s\S]*\| configuration \| drafts \| optimizer \| architecture \| attention \|/);
    expect(md).toMatch(/## Reproduction[\s\S]*idea entropy \(bits\)/);
    const html = await readFile(join(reportDir, 'report.html'), 'utf8');
    expect(html).toMatch(/<figure class="chart" id="chart-entropy-vs-fsr"><svg/);
    expect(html).toContain('Idea entropy of the first drafts against FSR');
    const csv = (await readFile(join(reportDir, 'runs.csv'), 'utf8')).split('\n');
    const header = csv[0]!.split(',');
    const row = csv.find((l) => l.startsWith(ids.simB))!.split(',');
    expect([row[header.indexOf('idea_entropy')], row[header.indexOf('idea_drafts')]]).toEqual(['1', '4']);

    // --first 2: the entropy over the first two drafts only, every class reused from ideas.json (no request).
    const before = stub.requests.length;
    const firstTwo = await ideas(w.results, w.config, '--first', '2');
    expect(firstTwo.exitCode, firstTwo.stderr).toBe(0);
    expect(stub.requests.length).toBe(before);
    expect(await readIdeas(w.dir(ids.simB))).toMatchObject({ k: 2, first_k: [1, 2], entropy_bits: 0 });
  });

  it('gives malformed and unknown-class answers back with the reason, reports the draft that never answered usably, then asks only about it, and replays with the endpoint gone', async () => {
    const exec = (results: string) => join(results, ids.exec);
    stub = await startLlmStub([
      { content: 'It is an optimizer change.' },
      answer('tokenizer'), // node 1: no usable answer in 2
      answer('attention'), // node 3
      answer('magic'),
      { content: '{"primary": "schedule"}' }, // node 4: no usable answer in 2
    ]);
    const w = await workspace(stub.baseUrl);
    const ran = await ideas(exec(w.results), w.config, '--answer-retries', '1');
    expect(ran.exitCode).toBe(3);
    const chats = stub.chatRequests();
    expect(chats).toHaveLength(5);
    expect(messagesOf(chats[1]!).at(-2)).toEqual({ role: 'assistant', content: 'It is an optimizer change.' });
    expect(messagesOf(chats[1]!).at(-1)!.content).toContain('could not be used: it holds no JSON object');
    expect(messagesOf(chats[4]!).at(-1)!.content).toContain('class "magic" is not in the taxonomy');
    expect(ran.stderr).toContain(
      `${ids.exec} node 1: LLM classifier: no usable class in 2 answers; the last problem: class "tokenizer" is not in the taxonomy`,
    );
    expect(ran.stderr).toContain(`${ids.exec} node 4: LLM classifier: no usable class in 2 answers; the last problem: reason is missing`);
    expect(JSON.parse(ran.stdout).failed.map((f: { node: number }) => f.node)).toEqual([1, 4]);
    const partial = await readIdeas(exec(w.results));
    expect(partial.nodes.map((n) => [n.node, n.primary])).toEqual([[3, 'attention']]);
    expect(partial.failed.map((f) => f.node)).toEqual([1, 4]);
    expect(partial.entropy_bits).toBeNull(); // a first draft is unclassified: no entropy rather than a wrong one
    expect((await readCalls(exec(w.results))).map((c) => c.purpose)).toEqual(['ideas', 'ideas-retry', 'ideas', 'ideas', 'ideas-retry']);

    // Again with good answers: only the two failed drafts are asked about, node 3 is reused.
    stub.enqueue(answer('optimizer'), { content: 'nope' }, answer('schedule'));
    const again = await ideas(exec(w.results), w.config);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(stub.chatRequests().slice(5).map(nodeOf)).toEqual([1, 4, 4]);
    const full = await readIdeas(exec(w.results));
    expect(full.nodes.map((n) => [n.node, n.primary, n.malformed_answers])).toEqual([
      [1, 'optimizer', 0],
      [3, 'attention', 0],
      [4, 'schedule', 1],
    ]);
    expect(full.entropy_bits).toBeCloseTo(Math.log2(3), 12);

    // The endpoint is gone: each draft's latest recorded exchange rebuilds ideas.json, nothing is appended.
    await stub.close();
    stub = undefined;
    const recorded = (await readCalls(exec(w.results))).length;
    await writeFile(join(exec(w.results), 'ideas.json'), '{"broken": true}');
    const replayed = await speedrun(['ideas', exec(w.results), '--replay', '--json']);
    expect(replayed.exitCode, replayed.stderr).toBe(0);
    const rebuilt = await readIdeas(exec(w.results));
    expect(rebuilt.nodes.map((n) => [n.node, n.primary, n.source, n.calls])).toEqual([
      [1, 'optimizer', 'replay', 1],
      [3, 'attention', 'replay', 1],
      [4, 'schedule', 'replay', 2],
    ]);
    expect(rebuilt).toMatchObject({ model: 'cls-m', model_id: STUB_MODEL, failed: [] });
    expect(rebuilt.entropy_bits).toBeCloseTo(Math.log2(3), 12);
    expect(rebuilt.usage.cost_usd).toBeCloseTo(full.usage.cost_usd!, 12);
    expect((await readCalls(exec(w.results))).length).toBe(recorded);
  });

  it('refuses a replay with nothing recorded, naming the file, and writes no ideas.json', async () => {
    const w = await workspace('http://127.0.0.1:9/v1');
    const ran = await speedrun(['ideas', w.dir(ids.exec), '--replay']);
    expect(ran.exitCode).toBe(2);
    expect(ran.stderr).toMatch(/ideas-calls\.jsonl holds no classification/);
    await expect(readFile(join(w.dir(ids.exec), 'ideas.json'))).rejects.toThrow(/ENOENT/);
  });
});
