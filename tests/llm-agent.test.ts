import { afterEach, describe, expect, it } from 'vitest';
import type { LlmCallRecord } from '../src/core/store/call-record.js';
import { BudgetExhaustedError } from '../src/core/agent/budget.js';
import { baselineResult, draftInput, stubAgent, tinyScript } from './helpers/agent-fixtures.js';
import { searchReplaceAnswer, udiffAnswer, wholeFileAnswer } from './helpers/edit-answers.js';
import { startLlmStub, type LlmStub } from './helpers/llm-stub.js';

let stub: LlmStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

function messagesOf(request: { body: unknown }): Array<{ role: string; content: string }> {
  return (request.body as { messages: Array<{ role: string; content: string }> }).messages;
}

describe('the LLM agent', () => {
  it.each([
    ['search-replace', searchReplaceAnswer],
    ['udiff', udiffAnswer],
    ['whole', (_from: string, to: string) => wholeFileAnswer(to)],
  ] as const)('turns a %s answer into record 2 exactly', async (format, answer) => {
    const [r1, r2] = [await tinyScript(1), await tinyScript(2)];
    stub = await startLlmStub([{ content: answer(r1, r2), usage: { prompt_tokens: 1000, completion_tokens: 200 } }]);
    const agent = await stubAgent(stub.baseUrl, { edit_format: format, prices: { input_per_million: 2, output_per_million: 8 } });
    const calls: LlmCallRecord[] = [];
    const proposal = await agent.propose(await draftInput({ onCall: (c) => calls.push(c) }));
    expect(proposal).toEqual({ ok: true, script: r2, note: expect.any(String) });
    // One call, priced from the profile: 1000 × $2/M + 200 × $8/M.
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ node: 1, purpose: 'propose', usage: { prompt_tokens: 1000, completion_tokens: 200 }, error: null });
    expect(calls[0]!.cost_usd).toBeCloseTo(0.0036, 10);
    // The system prompt explains this format, and only this one.
    const system = messagesOf(stub.chatRequests()[0]!)[0]!.content;
    expect(system).toContain({ 'search-replace': '<<<<<<< SEARCH', udiff: '```diff', whole: 'complete new script' }[format]);
    expect(system).not.toContain(format === 'whole' ? '<<<<<<< SEARCH' : 'complete new script');
  });

  it('shows the task, the rules, the hardware, the hint and the script in the draft prompt', async () => {
    stub = await startLlmStub([{ content: 'I change nothing.\n\n```python\nprint(1)\n```' }]);
    const agent = await stubAgent(stub.baseUrl, { edit_format: 'whole' });
    const input = await draftInput();
    await agent.propose(input);
    const [system, user] = messagesOf(stub.chatRequests()[0]!);
    expect(system!.content).toMatch(/val_tokens/);
    expect(system!.content).toMatch(/no network/i);
    expect(user!.content).toContain('≤ 1.9');
    // The time is read as the tiny track reads it: at the first crossing of the target.
    expect(system!.content).toMatch(/the time\s+that counts is the `train_time` of the first validation line/);
    expect(user!.content).toContain('36.0 s');
    // The next record's time is hidden unless the run reveals it (tests/agent-prompts.test.ts covers both).
    expect(user!.content).not.toContain('21.9 s');
    expect(user!.content).toContain('a test machine with 2 CPU cores');
    expect(user!.content).toContain('## Hint level 1: pseudocode of the change');
    expect(user!.content).toContain(input.parentScript.trimEnd());
    // No template placeholder survives rendering.
    expect(`${system!.content}${user!.content}`).not.toMatch(/\{\{\w+\}\}/);
  });

  it('omits the hint section entirely for hint none', async () => {
    stub = await startLlmStub([{ content: '```python\nprint(1)\n```' }]);
    const agent = await stubAgent(stub.baseUrl, { edit_format: 'whole' });
    await agent.propose(await draftInput({ hint: '' }));
    expect(messagesOf(stub.chatRequests()[0]!)[1]!.content).not.toMatch(/Hint/);
  });

  it('sends a failed edit back with the reason, then applies the corrected answer', async () => {
    const [r1, r2] = [await tinyScript(1), await tinyScript(2)];
    const wrong = '<<<<<<< SEARCH\n    learning_rate = 7e-4\n=======\n    learning_rate = 9e-4\n>>>>>>> REPLACE\n';
    stub = await startLlmStub([{ content: wrong }, { content: searchReplaceAnswer(r1, r2) }]);
    const agent = await stubAgent(stub.baseUrl);
    const calls: LlmCallRecord[] = [];
    const proposal = await agent.propose(await draftInput({ onCall: (c) => calls.push(c) }));
    expect(proposal).toMatchObject({ ok: true, script: r2 });
    expect(calls.map((c) => c.purpose)).toEqual(['propose', 'edit-retry']);
    // The retry carries the whole conversation: the failed answer, then the feedback naming the block and the closest line.
    const retry = messagesOf(stub.chatRequests()[1]!);
    expect(retry.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(retry[2]!.content).toBe(wrong);
    expect(retry[3]!.content).toMatch(/block 1/i);
    expect(retry[3]!.content).toContain('learning_rate = 6e-4');
    expect(retry[3]!.content).toMatch(/left unchanged/);
  });

  it('gives up after the profile’s edit retries with edit-failed and the last reason', async () => {
    const wrong = '<<<<<<< SEARCH\nthis line is not in the script\n=======\nx = 1\n>>>>>>> REPLACE\n';
    stub = await startLlmStub([{ content: wrong }, { content: wrong }]);
    const agent = await stubAgent(stub.baseUrl, { edit_retries: 1 });
    const proposal = await agent.propose(await draftInput());
    expect(proposal).toMatchObject({ ok: false, status: 'edit-failed' });
    expect(proposal.ok ? '' : proposal.message).toMatch(/after 2 answers.*block 1/s);
    expect(stub.chatRequests()).toHaveLength(2);
  });

  it('treats an answer cut off at the token limit as a failed edit, not a script', async () => {
    const [r1, r2] = [await tinyScript(1), await tinyScript(2)];
    stub = await startLlmStub([{ content: searchReplaceAnswer(r1, r2), finish_reason: 'length' }, { content: searchReplaceAnswer(r1, r2) }]);
    const agent = await stubAgent(stub.baseUrl);
    expect(await agent.propose(await draftInput())).toMatchObject({ ok: true, script: r2 });
    expect(messagesOf(stub.chatRequests()[1]!)[3]!.content).toMatch(/cut off at the token limit/);
  });

  it('reports an endpoint that keeps failing as agent-error with the reason, and records the failed call', async () => {
    stub = await startLlmStub([
      { status: 500, body: { error: { message: 'overloaded' } } },
      { status: 500, body: { error: { message: 'overloaded' } } },
    ]);
    const agent = await stubAgent(stub.baseUrl, { max_retries: 1 });
    const calls: LlmCallRecord[] = [];
    const proposal = await agent.propose(await draftInput({ onCall: (c) => calls.push(c) }));
    expect(proposal).toMatchObject({ ok: false, status: 'agent-error' });
    expect(proposal.ok ? '' : proposal.message).toMatch(/500/);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ response: null, error: { kind: 'http', status: 500 }, usage: null });
    expect(calls[0]!.retries).toHaveLength(1);
  });

  it('puts the failing node’s error and log tail into a debug prompt, and the history into an improve prompt', async () => {
    stub = await startLlmStub([{ content: '```python\nprint(1)\n```' }, { content: '```python\nprint(2)\n```' }]);
    const agent = await stubAgent(stub.baseUrl, { edit_format: 'whole' });
    const crashed = {
      ...baselineResult(),
      node: 1,
      parent: 0,
      operator: 'draft' as const,
      status: 'crashed' as const,
      measured_by: 'executed' as const,
      time_to_target_ms: null,
      exit_code: 1,
    };
    const parent = { result: crashed, note: 'tried a bigger batch', analysis: null };
    const root = { result: baselineResult(), note: null, analysis: null };
    await agent.propose(await draftInput({ node: 2, operator: 'debug', parent, history: [root, parent], parentLogTail: 'RuntimeError: shapes do not match' }));
    const debug = messagesOf(stub.chatRequests()[0]!)[1]!.content;
    expect(debug).toContain('RuntimeError: shapes do not match');
    expect(debug).toMatch(/crashed with exit code 1/);
    expect(debug).toContain('node 1 (draft of node 0): tried a bigger batch');

    const fast = { ...crashed, status: 'ok' as const, time_to_target_ms: 20_000, val_loss_at_target: 1.89, exit_code: 0 };
    const good = { result: fast, note: 'tuned the rate', analysis: 'loss fell smoothly' };
    await agent.propose(await draftInput({ node: 2, operator: 'improve', parent: good, history: [root, good] }));
    const improve = messagesOf(stub.chatRequests()[1]!)[1]!.content;
    expect(improve).toMatch(/reached the target at train_time 20\.0 s/);
    expect(improve).toContain('loss fell smoothly');
    expect(improve).toMatch(/faster than 20\.0 s/);
  });

  it('shows both parents in a crossover prompt, and edits the first', async () => {
    const [r1, r2] = [await tinyScript(1), await tinyScript(2)];
    stub = await startLlmStub([{ content: searchReplaceAnswer(r1, r2) }]);
    const agent = await stubAgent(stub.baseUrl);
    const other = {
      result: { ...baselineResult(), node: 2, parent: 0, operator: 'draft' as const, measured_by: 'executed' as const, time_to_target_ms: 30_000 },
      note: 'tuned warmup',
      analysis: null,
    };
    const proposal = await agent.propose(await draftInput({ node: 3, operator: 'crossover', secondParent: { ...other, script: 'print("second parent")\n' } }));
    expect(proposal).toMatchObject({ ok: true, script: r2 });
    const prompt = messagesOf(stub.chatRequests()[0]!)[1]!.content;
    expect(prompt).toContain('print("second parent")');
    expect(prompt).toMatch(/Another valid script \(node 2\)[\s\S]*reached the target at train_time 30\.0 s/);
    expect(prompt).toMatch(/The script to edit \(node 0\)/);
  });

  it('stops before a call the budget no longer allows', async () => {
    stub = await startLlmStub([{ content: '```python\nprint(1)\n```', usage: { prompt_tokens: 900, completion_tokens: 200 } }]);
    const agent = await stubAgent(stub.baseUrl, { edit_format: 'whole' }, { max_tokens: 1000 });
    await agent.propose(await draftInput());
    expect(() => agent.checkBudget()).toThrow(BudgetExhaustedError);
    await expect(agent.propose(await draftInput({ node: 2 }))).rejects.toThrow(/1100 of 1000 tokens/);
    expect(stub.chatRequests()).toHaveLength(1);
  });
});
