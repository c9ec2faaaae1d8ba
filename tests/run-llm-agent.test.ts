import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../src/core/agent/agent.js';
import { LlmBudget } from '../src/core/agent/budget.js';
import { editFormat } from '../src/core/agent/edits/index.js';
import { LlmAgent } from '../src/core/agent/llm-agent.js';
import { CALLS_FILE, LlmCallRecord } from '../src/core/store/call-record.js';
import { loadRecordedCalls, ReplayChatClient } from '../src/core/agent/llm/replay-client.js';
import { replayModel } from '../src/core/agent/llm/replay-model.js';
import { loadPromptSet, PROMPT_VERSION } from '../src/core/agent/prompts.js';
import { runSearch } from '../src/core/search/run-engine.js';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { NodeResult, RunSummary } from '../src/core/store/schema.js';
import { stubAgent, tinyScript } from './helpers/agent-fixtures.js';
import { startLlmStub, type LlmStub, type StubRequest } from './helpers/llm-stub.js';
import { filesContaining } from './helpers/files.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import { tinySearch } from './helpers/search-fixtures.js';

afterAll(removeTempDirs);
let stub: LlmStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const SECRET = 'sk-test-secret-never-on-disk-4242';
/** An edit that makes record 1 crash at once (before torch loads), so a node "trains" in well under a second. */
const CRASH = '<<<<<<< SEARCH\nimport glob\n=======\nraise RuntimeError("boom from node")\nimport glob\n>>>>>>> REPLACE\n';
const UNCRASH = 'Remove the raise.\n<<<<<<< SEARCH\nraise RuntimeError("boom from node")\nimport glob\n=======\nimport glob\n>>>>>>> REPLACE\n';
const NO_OP = 'Keep the script as it is.\n<<<<<<< SEARCH\nimport glob\n=======\nimport glob\n>>>>>>> REPLACE\n';

/**
 * One run of record 1 with AIDE reduced to one draft that always debugs a crashed leaf: draft, then debug the last
 * crash, else improve the best node — a fixed order the tests below can script the LLM's answers against.
 */
async function run(agent: Agent, maxNodes: number, extra: { budget?: Record<string, number>; revealTargetTime?: boolean } = {}) {
  const out = await tempDir('llm-run');
  const summary = await runSearch(
    await tinySearch({
      runDir: join(out, 'llm-run'),
      hintSpec: 'L1',
      hintText: '## Hint level 1: pseudocode of the change\n\nraise the learning rate',
      agent,
      model: 'stub',
      budget: extra.budget ?? {},
      scaffold: makeScaffold({ name: 'aide', drafts: 1, debug_prob: 1 }, { nodes: maxNodes }),
      ...(extra.revealTargetTime !== undefined && { revealTargetTime: extra.revealTargetTime }),
    }),
  );
  const node = async (n: number) => NodeResult.parse(JSON.parse(await readFile(join(summary.results_dir, 'nodes', String(n), 'result.json'), 'utf8')));
  return { summary: RunSummary.parse(summary), node, out };
}

const userPrompt = (request: StubRequest) => (request.body as { messages: Array<{ content: string }> }).messages[1]!.content;

describe('a run with the LLM agent', () => {
  it('debugs a crashed node with its log, keeps going after an endpoint failure, and keeps every call under its node', async () => {
    stub = await startLlmStub([
      { content: `I add a check.\n${CRASH}`, usage: { prompt_tokens: 3000, completion_tokens: 100 } },
      { content: UNCRASH, usage: { prompt_tokens: 3500, completion_tokens: 80 } },
      { status: 500, body: { error: { message: 'upstream overloaded' } } },
      { status: 500, body: { error: { message: 'upstream overloaded' } } },
      { content: NO_OP, usage: { prompt_tokens: 3000, completion_tokens: 50 } },
    ]);
    const agent = await stubAgent(stub.baseUrl, { prices: { input_per_million: 1, output_per_million: 4 } }, {}, SECRET);
    const { summary, node, out } = await run(agent, 4);

    const n1 = await node(1);
    expect(n1).toMatchObject({ operator: 'draft', parent: 0, status: 'crashed', measured_by: 'executed', note: 'I add a check.' });
    expect(n1.stderr_tail).toContain('boom from node');
    // Node 2 debugs node 1, and its prompt shows the crash.
    const requests = stub.chatRequests();
    expect(userPrompt(requests[1]!)).toContain('boom from node');
    const n2 = await node(2);
    expect(n2).toMatchObject({ operator: 'debug', parent: 1, status: 'ok', measured_by: 'duplicate', duplicate_of: 0 });
    // Node 3: the endpoint fails for good (500 after its retry); the node is buggy with the reason and the run goes on.
    const n3 = await node(3);
    expect(n3).toMatchObject({ operator: 'improve', parent: 0, status: 'agent-error', measured_by: 'not-run', script_sha256: null });
    expect(n3.error).toMatch(/500/);
    expect(await node(4)).toMatchObject({ operator: 'improve', status: 'ok', duplicate_of: 0 });

    expect(summary).toMatchObject({ status: 'finished', best: { node: 0 }, fsr: 0, model: 'stub' });
    expect(summary.usage).toEqual({ llm_calls: 4, prompt_tokens: 9500, completion_tokens: 230, cost_usd: expect.any(Number) });
    expect(summary.usage.cost_usd).toBeCloseTo((9500 * 1 + 230 * 4) / 1e6, 12);
    expect(n1.llm).toMatchObject({ llm_calls: 1, prompt_tokens: 3000, completion_tokens: 100 });

    // Every call is on disk under its node, with the messages sent and what came back.
    const calls = await loadRecordedCalls(summary.results_dir);
    expect([...calls.keys()].sort()).toEqual([1, 2, 3, 4]);
    expect(calls.get(3)![0]).toMatchObject({ response: null, error: { kind: 'http', status: 500 } });
    expect(calls.get(1)![0]!.request.messages[1]!.content).toContain('raise the learning rate');
    const config = JSON.parse(await readFile(join(summary.results_dir, 'run.json'), 'utf8')).config;
    expect(config.agent_config).toMatchObject({
      name: 'llm',
      edit_format: 'search-replace',
      prompt_version: PROMPT_VERSION,
      prompts_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // The next record's time stays out of the prompts unless the run reveals it, and run.json says which.
    expect(config.reveal_target_time).toBe(false);
    expect(userPrompt(requests[0]!)).not.toContain('21.9 s');

    // The key went over the wire, and is written nowhere.
    expect(requests[0]!.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(await filesContaining(out, SECRET)).toEqual([]);
  });

  it("shows an improve prompt the failed sibling attempt, and states the next record's time when the run reveals it", async () => {
    stub = await startLlmStub([{ content: `I add a check.\n${CRASH}` }, { content: UNCRASH }, { content: NO_OP }]);
    const { summary, node } = await run(await stubAgent(stub.baseUrl), 3, { revealTargetTime: true });
    expect(await node(3)).toMatchObject({ operator: 'improve', parent: 0 });
    const requests = stub.chatRequests();
    // Node 2 debugs node 1: node 1 is its history, so there is nothing else to warn about.
    expect(userPrompt(requests[1]!)).not.toMatch(/Other attempts/);
    // Node 3 improves the baseline: node 1, its sibling, crashed; node 2 fixed a crash, which is no dead end.
    const improve = userPrompt(requests[2]!);
    expect(improve).toMatch(/# Other attempts that failed or were not faster[\s\S]*- node 1 \(draft of node 0\): I add a check\. → crashed with exit code 1/);
    expect(improve).not.toMatch(/- node 2 \(debug/);
    for (const request of requests) expect(userPrompt(request)).toContain('The next record on this track reached it in 21.9 s');
    const config = JSON.parse(await readFile(join(summary.results_dir, 'run.json'), 'utf8')).config;
    expect(config.reveal_target_time).toBe(true);
  });

  it('ends as budget-exhausted when the calls run out, keeping and scoring the nodes before', async () => {
    stub = await startLlmStub([{ content: NO_OP }, { content: NO_OP }, { content: NO_OP }]);
    const agent = await stubAgent(stub.baseUrl, {}, { max_calls: 2 });
    const { summary, node } = await run(agent, 5, { budget: { max_calls: 2 } });
    expect(summary).toMatchObject({ status: 'budget-exhausted', fsr: 0, best: { node: 0 }, usage: { llm_calls: 2 } });
    expect((await node(1)).status).toBe('ok');
    expect((await node(2)).status).toBe('ok');
    expect(await readdir(join(summary.results_dir, 'nodes'))).toEqual(['0', '1', '2']);
    expect(stub.chatRequests()).toHaveLength(2);
    const journal = await readFile(join(summary.results_dir, 'journal.jsonl'), 'utf8');
    expect(journal).toMatch(/LLM budget exhausted: 2 of 2 calls used/);
    const config = JSON.parse(await readFile(join(summary.results_dir, 'run.json'), 'utf8')).config;
    expect(config.budget).toEqual({ max_calls: 2 });
  });

  it('asks for a log analysis when the profile wants one, keeps it beside the node, and shows it to the next prompt', async () => {
    stub = await startLlmStub([{ content: `I add a check.\n${CRASH}` }, { content: 'The script raised before training began.' }, { content: NO_OP }]);
    const agent = await stubAgent(stub.baseUrl, { summarize_logs: true });
    const { summary, node } = await run(agent, 2);
    expect(await readFile(join(summary.results_dir, 'nodes', '1', 'analysis.md'), 'utf8')).toBe('The script raised before training began.\n');
    const requests = stub.chatRequests();
    // The analysis sees the harness's outcome and the log, and the debug prompt that follows carries the analysis.
    expect((requests[1]!.body as { messages: Array<{ content: string }> }).messages[0]!.content).toMatch(/crashed with exit code 1[\s\S]*boom from node/);
    expect(userPrompt(requests[2]!)).toContain('analysis of its log: The script raised before training began.');
    expect((await node(1)).llm).toMatchObject({ llm_calls: 2 });
    // The metric never comes from the analysis: node 1 is still the crash the harness measured.
    expect((await node(1)).status).toBe('crashed');
  });

  it('turns a hung endpoint into a timed-out agent-error node and finishes the run', async () => {
    stub = await startLlmStub([{ hang: true }]);
    const agent = await stubAgent(stub.baseUrl, { timeout_s: 0.3, max_retries: 0 });
    const started = Date.now();
    const { summary, node } = await run(agent, 1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(summary).toMatchObject({ status: 'finished', fsr: 0 });
    expect((await node(1)).error).toMatch(/timed out/i);
  });

  it('ends as budget-exhausted once the dollars are spent', async () => {
    stub = await startLlmStub([{ content: NO_OP, usage: { prompt_tokens: 600_000, completion_tokens: 0 } }, { content: NO_OP }]);
    const agent = await stubAgent(stub.baseUrl, { prices: { input_per_million: 1, output_per_million: 1 } }, { max_dollars: 0.5 });
    const { summary } = await run(agent, 3);
    expect(summary).toMatchObject({ status: 'budget-exhausted', usage: { llm_calls: 1, cost_usd: 0.6 } });
  });

  it('replays a recorded run without an endpoint: same nodes, same scripts, same outcomes', async () => {
    stub = await startLlmStub([
      { content: `I add a check.\n${CRASH}` },
      { content: '<<<<<<< SEARCH\nno such line\n=======\nx\n>>>>>>> REPLACE\n' },
      { content: UNCRASH },
      { status: 400, body: { error: { message: 'context too long' } } },
    ]);
    const live = await run(await stubAgent(stub.baseUrl), 3);
    await stub.close();
    stub = undefined;

    const config = JSON.parse(await readFile(join(live.summary.results_dir, 'run.json'), 'utf8')).config;
    const { model, promptVersion } = replayModel(config.agent_config, 'run.json');
    const replay = new LlmAgent({
      name: 'replay',
      client: new ReplayChatClient(await loadRecordedCalls(live.summary.results_dir)),
      model,
      editFormat: editFormat(model.edit_format),
      prompts: await loadPromptSet(promptVersion),
      budget: new LlmBudget(),
    });
    const replayed = await run(replay, 3);
    for (const n of [1, 2, 3]) {
      const [a, b] = [await live.node(n), await replayed.node(n)];
      // The harness's own clock readings differ from run to run; everything measured from the log is the same.
      const clockless = (r: typeof a) => ({ ...r, stderr_tail: '', wall_ms: null, started_at: undefined, ended_at: undefined });
      expect(clockless(b), `node ${n}`).toEqual(clockless(a));
    }
    expect((await live.node(2)).llm?.llm_calls).toBe(2); // a failed edit, then the fix
    expect((await live.node(3)).status).toBe('agent-error');
    const script = async (dir: string) => readFile(join(dir, 'nodes', '1', 'train_gpt.py'), 'utf8');
    expect(await script(replayed.summary.results_dir)).toBe(await script(live.summary.results_dir));
    expect(await script(live.summary.results_dir)).toBe((await tinyScript(1)).replace('import glob', 'raise RuntimeError("boom from node")\nimport glob'));
    const recorded = (await readFile(join(replayed.summary.results_dir, 'nodes', '2', CALLS_FILE), 'utf8')).trim().split('\n');
    expect(recorded.map((l) => LlmCallRecord.parse(JSON.parse(l)).purpose)).toEqual(['propose', 'edit-retry']);
  });
});
