import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SpeedrunEvent } from '../src/core/events.js';
import { runSearch } from '../src/core/search/run-engine.js';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { stubAgent } from './helpers/agent-fixtures.js';
import { startLlmStub, type LlmStub } from './helpers/llm-stub.js';
import { tinySearch } from './helpers/search-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);
let stub: LlmStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

describe('a run whose agent streams its answers', () => {
  it('emits the answer as llm-delta events for its node before the llm-call, and keeps them out of the journal', async () => {
    // An answer with no edit in it: the node ends edit-failed without training, so the test needs no Python run.
    const pieces = ['I would ', 'raise the ', 'learning rate ', 'but give no edit.'];
    stub = await startLlmStub([{ content: pieces.join(''), pieces }]);
    const agent = await stubAgent(stub.baseUrl, { edit_retries: 0 });
    const events: SpeedrunEvent[] = [];
    const out = await tempDir('llm-stream');
    const summary = await runSearch(
      await tinySearch({
        runDir: join(out, 'run'),
        agent,
        emit: (event) => events.push(event),
        scaffold: makeScaffold({ name: 'aide', drafts: 1, debug_prob: 1 }, { nodes: 1 }),
      }),
    );

    const deltas = events.filter((e): e is Extract<SpeedrunEvent, { type: 'llm-delta' }> => e.type === 'llm-delta');
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas[0]).toEqual({ type: 'llm-delta', run_id: 'test-run', node: 1, purpose: 'propose', part: 'content', text: pieces[0], restart: false });
    // Gathered, never reordered: what was sent is the start of the answer.
    expect(pieces.join('').startsWith(deltas.map((d) => d.text).join(''))).toBe(true);
    const lastDelta = events.lastIndexOf(deltas[deltas.length - 1]!);
    expect(events.findIndex((e) => e.type === 'llm-call')).toBeGreaterThan(lastDelta);

    const journal = (await readFile(join(summary.results_dir, 'journal.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(journal.some((e) => e.type === 'llm-call')).toBe(true);
    expect(journal.some((e) => e.type === 'llm-delta')).toBe(false);
  });
});
