import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../src/core/agent/agent.js';
import type { SpeedrunEvent } from '../src/core/events.js';
import { runSearch } from '../src/core/search/run-engine.js';
import { makeScaffold, type ScaffoldSpec } from '../src/core/search/scaffolds/index.js';
import { CALLS_FILE } from '../src/core/store/call-record.js';
import { DamagedRunError } from '../src/core/store/damaged-run.js';
import { TRAJECTORY_FILE } from '../src/core/store/layout.js';
import { nodeIds } from '../src/core/store/run-store.js';
import { buildTrajectory, writeTrajectory } from '../src/core/store/trajectory.js';
import { callSteps, RecordedCall } from '../src/core/store/trajectory-calls.js';
import { ATIF_VERSION, AtifTrajectory } from '../src/core/store/trajectory-schema.js';
import { stubAgent } from './helpers/agent-fixtures.js';
import { publishedSchemaErrors } from './helpers/atif-json-schema.js';
import { speedrun } from './helpers/cli.js';
import { startLlmStub, type LlmStub } from './helpers/llm-stub.js';
import { fakeTrainingScript, scriptedAgent } from './helpers/scripted-agent.js';
import { tinySearch } from './helpers/search-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);
let stub: LlmStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const SECRET = 'sk-trajectory-secret-never-on-disk-77';
const CRASH = 'I add a check.\n<<<<<<< SEARCH\nimport glob\n=======\nraise RuntimeError("boom from node")\nimport glob\n>>>>>>> REPLACE\n';
const NO_OP = 'Keep the script as it is.\n<<<<<<< SEARCH\nimport glob\n=======\nimport glob\n>>>>>>> REPLACE\n';

async function search(agent: Agent, scaffold: ScaffoldSpec, nodes: number, prepare?: (runDir: string) => Promise<unknown>) {
  const runDir = join(await tempDir('trajectory'), 'run');
  await prepare?.(runDir);
  const events: SpeedrunEvent[] = [];
  const summary = await runSearch(
    await tinySearch({ runDir, agent, model: 'stub', scaffold: makeScaffold(scaffold, { nodes }), emit: (event) => events.push(event) }),
  );
  return { summary, events, runDir };
}

/** trajectory.json as written, checked against our mirror of the format and, where it is here, the published schema. */
async function validTrajectory(runDir: string): Promise<AtifTrajectory> {
  const raw: unknown = JSON.parse(await readFile(join(runDir, TRAJECTORY_FILE), 'utf8'));
  const doc = AtifTrajectory.parse(raw);
  const errors = await publishedSchemaErrors(raw);
  if (errors !== null) expect(errors).toEqual([]);
  return doc;
}

async function recordedCalls(runDir: string): Promise<RecordedCall[]> {
  const calls: RecordedCall[] = [];
  for (const node of await nodeIds(runDir)) {
    const text = await readFile(join(runDir, 'nodes', String(node), CALLS_FILE), 'utf8').catch(() => '');
    calls.push(
      ...text
        .split('\n')
        .filter(Boolean)
        .map((l) => RecordedCall.parse(JSON.parse(l))),
    );
  }
  return calls;
}

describe('the run trajectory (ATIF)', () => {
  it('is written when a run of an agent without a model ends: the task, then every node with its measured outcome', { timeout: 60_000 }, async () => {
    const agent = scriptedAgent((input) => ({
      ok: true,
      script: fakeTrainingScript({ timeMs: 30_000 - input.node * 1000, tag: String(input.node) }),
      note: `draft ${input.node}`,
    }));
    const { summary, runDir } = await search(agent, 'flat', 2);
    expect(summary.status).toBe('finished');
    const t = await validTrajectory(runDir);
    expect(t).toMatchObject({ schema_version: ATIF_VERSION, session_id: summary.run_id, agent: { name: 'speedrun/scripted' } });
    expect(t.agent.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(t.steps.map((s) => s.source)).toEqual(['user', 'system', 'system', 'system']);
    expect(t.steps[0]!.message).toMatch(/record 1 of the tiny track/);
    const outcomes = t.steps.slice(1).map((s) => JSON.parse(s.observation!.results[0]!.content as string));
    expect(outcomes.map((o) => [o.node, o.operator, o.status])).toEqual([
      [0, 'baseline', 'ok'],
      [1, 'draft', 'ok'],
      [2, 'draft', 'ok'],
    ]);
    expect(outcomes[2]).toMatchObject({ parent: 0, time_to_target_ms: 28_000, val_loss: 1.85, note: 'draft 2', by: 'agent' });
    expect(t.steps[3]!.message).toBe('node 2 (draft of node 0): ok, time to target 28.0 s');
    expect(t.final_metrics).toMatchObject({ total_prompt_tokens: 0, total_completion_tokens: 0, total_steps: 4, extra: { llm_calls: 0 } });
    expect(t.final_metrics?.total_cost_usd).toBeUndefined();
    expect(t.extra).toMatchObject({ track: 'tiny', record: 1, status: 'finished', best: { node: 2 } });
  });

  it('has one agent step per LLM call with its reasoning, tokens and cost, totals that add up, and no key', { timeout: 60_000 }, async () => {
    stub = await startLlmStub([
      { content: CRASH, reasoning: 'A check first.', usage: { prompt_tokens: 3000, completion_tokens: 100 } },
      { status: 500, body: { error: { message: 'upstream overloaded' } } },
      { status: 500, body: { error: { message: 'upstream overloaded' } } },
      { content: 'Change it.\n<<<<<<< SEARCH\nno such line\n=======\nx\n>>>>>>> REPLACE\n', usage: { prompt_tokens: 2000, completion_tokens: 30 } },
      { content: NO_OP, usage: { prompt_tokens: 2500, completion_tokens: 40 } },
    ]);
    const agent = await stubAgent(stub.baseUrl, { prices: { input_per_million: 1, output_per_million: 4 } }, {}, SECRET);
    const { summary, runDir } = await search(agent, 'flat', 3);
    const t = await validTrajectory(runDir);
    const calls = await recordedCalls(runDir);
    expect(calls).toHaveLength(4);

    const answers = t.steps.filter((s) => s.source === 'agent');
    expect(answers).toHaveLength(calls.length);
    expect(answers[0]).toMatchObject({
      model_name: calls[0]!.response!.model, // the model that answered, as the endpoint named it
      message: CRASH,
      reasoning_content: 'A check first.',
      metrics: { prompt_tokens: 3000, completion_tokens: 100, cost_usd: expect.any(Number) },
      extra: { node: 1, purpose: 'propose' },
    });
    // The failed call is a step too, with its error and no tokens.
    expect(answers[1]).toMatchObject({ message: '', extra: { node: 2, error: expect.stringMatching(/500/) } });
    expect(answers[1]!.metrics?.prompt_tokens).toBeUndefined();
    // Each call of the built-in agent is a conversation of its own: its system and user messages precede the answer.
    const first = t.steps.findIndex((s) => s.source === 'agent');
    expect(t.steps[first - 2]).toMatchObject({ source: 'system', message: calls[0]!.request.messages[0]!.content });
    expect(t.steps[first - 1]).toMatchObject({ source: 'user', message: calls[0]!.request.messages[1]!.content });
    expect(t.steps[first + 1]).toMatchObject({ source: 'system', extra: { speedrun: 'node-outcome', node: 1, status: 'crashed' } });

    // Node 3's edit did not apply: the retry resends the conversation, and only the feedback is a new step.
    const node3 = t.steps.slice(t.steps.findIndex((s) => s.extra?.speedrun === 'node-outcome' && s.extra.node === 2) + 1);
    expect(node3.map((s) => `${s.source}${s.extra?.purpose ? `:${s.extra.purpose}` : ''}`)).toEqual([
      'system',
      'user',
      'agent:propose',
      'user',
      'agent:edit-retry',
      'system',
    ]);
    expect(node3[3]!.message).toBe(calls[3]!.request.messages[3]!.content);
    const sum = (of: (c: RecordedCall) => number) => calls.reduce((total, c) => total + of(c), 0);
    expect(t.final_metrics).toMatchObject({
      total_prompt_tokens: sum((c) => c.usage?.prompt_tokens ?? 0),
      total_completion_tokens: sum((c) => c.usage?.completion_tokens ?? 0),
      total_steps: t.steps.length,
      extra: { llm_calls: 4, unreadable_call_lines: 0 },
    });
    expect(t.final_metrics?.total_cost_usd).toBeCloseTo(
      sum((c) => c.cost_usd ?? 0),
      12,
    );
    expect(t.final_metrics?.total_prompt_tokens).toBe(summary.usage.prompt_tokens);
    expect(t.agent.model_name).toBe('stub');

    const text = await readFile(join(runDir, TRAJECTORY_FILE), 'utf8');
    expect(stub.chatRequests()[0]!.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/bearer|authorization/i);
  });

  it('is written for a budget-exhausted run too', { timeout: 60_000 }, async () => {
    stub = await startLlmStub([{ content: NO_OP, usage: { prompt_tokens: 10, completion_tokens: 1 } }, { content: NO_OP }]);
    const { summary, runDir } = await search(await stubAgent(stub.baseUrl, {}, { max_calls: 1 }), 'flat', 4);
    expect(summary.status).toBe('budget-exhausted');
    const t = await validTrajectory(runDir);
    expect(t.extra).toMatchObject({ status: 'budget-exhausted' });
    expect(t.steps.filter((s) => s.source === 'agent')).toHaveLength(1);
  });

  it('does not stop a run it cannot be written for: the run ends as it would, with an error event that says so', { timeout: 60_000 }, async () => {
    const agent = scriptedAgent(() => ({ ok: true, script: fakeTrainingScript({ timeMs: 30_000 }), note: 'one' }));
    // A folder where the file should go: the write fails, as a full disk would make it.
    const { summary, events, runDir } = await search(agent, 'flat', 1, (dir) => mkdir(join(dir, TRAJECTORY_FILE, 'in-the-way'), { recursive: true }));
    expect(summary.status).toBe('finished');
    const finished = events.findIndex((e) => e.type === 'run-finished');
    const error = events.findIndex((e) => e.type === 'error' && e.message.startsWith(`${TRAJECTORY_FILE} not written`));
    expect(finished).toBeGreaterThanOrEqual(0);
    expect(error).toBeGreaterThan(finished);
    const run = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'));
    expect(run.result.status).toBe('finished');

    // `speedrun trajectory --write` writes it once the way is clear, as for a run made before runs wrote one.
    await rm(join(runDir, TRAJECTORY_FILE), { recursive: true });
    const written = await speedrun(['trajectory', runDir, '--write']);
    expect(written.exitCode, written.stderr).toBe(0);
    expect(written.stdout.trim()).toBe(join(runDir, TRAJECTORY_FILE));
    const printed = await speedrun(['trajectory', runDir]);
    expect(printed.exitCode, printed.stderr).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(JSON.parse(await readFile(join(runDir, TRAJECTORY_FILE), 'utf8')));
    expect((await validTrajectory(runDir)).steps).toHaveLength(3);
  });

  it(
    'is written for every run of a bench of the built-in LLM agent on a simulated model and executor, integrity verdicts included',
    { timeout: 120_000 },
    async () => {
      const out = join(await tempDir('trajectory-bench'), 'bench');
      const env = { SPEEDRUN_CACHE: join(out, '..', 'cache'), SPEEDRUN_NVIDIA_SMI: '/nonexistent/nvidia-smi' };
      const args = ['bench', '--out', out, '--records', '1', '--agents', 'llm:sim/a', '--executor', 'sim', '--gpus', '0-7', '--gpus-per-run', '8'];
      const bench = await speedrun([...args, '--nodes', '3', '--seeds', '2', '--json'], env);
      expect(bench.exitCode, bench.stderr).toBe(0);
      const runs = bench.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; runs?: Array<{ run_id: string }> })
        .find((e) => e.type === 'bench-finished')!.runs!;
      expect(runs).toHaveLength(2);
      for (const { run_id } of runs) {
        const runDir = join(out, run_id);
        const t = await validTrajectory(runDir);
        const calls = await recordedCalls(runDir);
        expect(calls.length).toBeGreaterThan(0);
        expect(t.steps.filter((s) => s.source === 'agent')).toHaveLength(calls.length);
        expect(t.final_metrics?.total_prompt_tokens).toBe(calls.reduce((n, c) => n + (c.usage?.prompt_tokens ?? 0), 0));
        const audited = t.steps.filter((s) => s.extra?.speedrun === 'node-outcome' && s.extra.node !== 0);
        expect(audited.length).toBeGreaterThan(0);
        for (const step of audited) expect(step.extra?.integrity).toMatchObject({ verdict: expect.stringMatching(/^(ok|flag|reject)$/) });
      }
      // On a bench folder, --write rewrites every run's file; printing needs one run.
      const written = await speedrun(['trajectory', out, '--write']);
      expect(written.exitCode, written.stderr).toBe(0);
      expect(written.stdout.trim().split('\n')).toEqual(runs.map((r) => join(out, r.run_id, TRAJECTORY_FILE)).sort());
      const printed = await speedrun(['trajectory', out]);
      expect(printed.exitCode).toBe(2);
      expect(printed.stderr).toMatch(/holds 2 runs/);
    },
  );

  it('names the damaged file of a run it cannot read', { timeout: 60_000 }, async () => {
    const agent = scriptedAgent(() => ({ ok: true, script: fakeTrainingScript({ timeMs: 30_000 }), note: 'one' }));
    const { runDir } = await search(agent, 'flat', 1);
    await rm(join(runDir, 'nodes', '1', 'result.json'));
    await mkdir(join(runDir, 'nodes', '1', 'result.json'));
    await expect(writeTrajectory(runDir)).rejects.toThrow(DamagedRunError);
    await expect(buildTrajectory(runDir)).rejects.toThrow(/nodes\/1\/result\.json/);
  });
});

/** A record as the model proxy may write one for an outside agent: a conversation with tool calls and their outputs. */
function proxyCall(n: number, messages: object[], response: object, usage = { prompt_tokens: 100 * n, completion_tokens: 10 * n }) {
  return RecordedCall.parse({
    node: 1,
    purpose: 'proxy',
    at: `2026-01-01T00:00:0${n}.000Z`,
    model: 'stub',
    request: { messages, params: { model: 'stub', api_key: SECRET } },
    response: { content: null, reasoning: null, finish_reason: 'stop', model: 'stub', ...response },
    error: null,
    usage,
    latency_ms: 5,
    retries: [],
    cost_usd: 0.001 * n,
  });
}

describe('a conversation with tool calls, as a coding agent has through the model proxy', () => {
  const system = { role: 'system', content: 'You edit train_gpt.py.' };
  const user = { role: 'user', content: [{ type: 'text', text: 'Make it faster.' }] };
  const call = { id: 'call_1', type: 'function', function: { name: 'shell', arguments: '{"cmd":"cat train_gpt.py"}' } };
  const assistant = { role: 'assistant', content: null, tool_calls: [call] };
  const output = { role: 'tool', tool_call_id: 'call_1', content: 'import torch' };
  const calls = [
    proxyCall(1, [system, user], { tool_calls: [call] }),
    proxyCall(2, [system, user, assistant, output], { content: 'Done: raised the learning rate.' }),
  ];

  it('turns the history each call resends into steps once, and each tool output into the observation of its call', () => {
    const steps = callSteps(calls);
    expect(steps.map((s) => s.source)).toEqual(['system', 'user', 'agent', 'agent']);
    expect(steps[1]!.message).toBe('Make it faster.');
    expect(steps[2]).toMatchObject({
      message: '',
      tool_calls: [{ tool_call_id: 'call_1', function_name: 'shell', arguments: { cmd: 'cat train_gpt.py' } }],
      observation: { results: [{ source_call_id: 'call_1', content: 'import torch' }] },
      metrics: { prompt_tokens: 100, completion_tokens: 10, cost_usd: 0.001 },
      extra: { purpose: 'proxy', params: { model: 'stub' } },
    });
    expect(steps[3]).toMatchObject({ message: 'Done: raised the learning rate.', metrics: { prompt_tokens: 200 } });
    expect(JSON.stringify(steps)).not.toContain(SECRET);
    const doc = { schema_version: ATIF_VERSION, session_id: 's', agent: { name: 'a', version: '1' }, steps: steps.map((s, i) => ({ step_id: i + 1, ...s })) };
    expect(AtifTrajectory.safeParse(doc).success).toBe(true);
  });

  it('starts over when a call does not continue the conversation before it, and keeps unparsable arguments raw', () => {
    const odd = { ...call, function: { name: 'shell', arguments: 'not json' } };
    const steps = callSteps([calls[0]!, proxyCall(2, [{ role: 'user', content: 'Another task.' }], { tool_calls: [odd] })]);
    expect(steps.map((s) => s.source)).toEqual(['system', 'user', 'agent', 'user', 'agent']);
    expect(steps[4]!.tool_calls).toEqual([{ tool_call_id: 'call_1', function_name: 'shell', arguments: { raw: 'not json' } }]);
  });

  it('is checked by a published-schema validation that can fail', async () => {
    const bad = { schema_version: ATIF_VERSION, session_id: 's', agent: { name: 'a', version: '1' }, steps: [{ step_id: 1, source: 'tool', message: 'x' }] };
    const errors = await publishedSchemaErrors(bad);
    if (errors !== null) expect(errors.join('\n')).toMatch(/steps\/0\/source/);
  });

  it('refuses what the format refuses: steps out of order, agent-only fields on other steps, observations of unknown calls', () => {
    const base = { schema_version: ATIF_VERSION, session_id: 's', agent: { name: 'a', version: '1' } };
    expect(AtifTrajectory.safeParse({ ...base, steps: [{ step_id: 2, source: 'user', message: 'x' }] }).success).toBe(false);
    expect(AtifTrajectory.safeParse({ ...base, steps: [{ step_id: 1, source: 'user', message: 'x', metrics: {} }] }).success).toBe(false);
    const orphan = { step_id: 1, source: 'agent', message: 'x', observation: { results: [{ source_call_id: 'nope', content: 'y' }] } };
    expect(AtifTrajectory.safeParse({ ...base, steps: [orphan] }).success).toBe(false);
    expect(AtifTrajectory.safeParse({ ...base, steps: [] }).success).toBe(false);
    expect(AtifTrajectory.safeParse({ ...base, steps: [{ step_id: 1, source: 'user', message: 'x', unknown: 1 }] }).success).toBe(false);
  });
});
