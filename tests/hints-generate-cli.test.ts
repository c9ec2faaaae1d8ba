import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/core/catalog/files.js';
import { GeneratedHintMeta } from '../src/core/catalog/generated-hints.js';
import { unifiedDiff } from '../src/core/judge/judge-inputs.js';
import { loadHintPrompts } from '../src/core/hintgen/hint-prompts.js';
import { LlmCallRecord } from '../src/core/store/call-record.js';
import { packageRoot } from '../src/core/paths.js';
import { speedrun } from './helpers/cli.js';
import { GARBAGE, HINT_TEXT, hintReply } from './helpers/hint-answers.js';
import { startLlmStub, STUB_MODEL, type LlmStub, type StubRequest } from './helpers/llm-stub.js';
import { packageWithoutTinyHints } from './helpers/package-copy.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);
let stub: LlmStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

/** A fresh cache and a config whose profile `writer` points at the stub, with prices. */
async function workspace(baseUrl: string): Promise<{ cache: string; config: string; dir: (record: number) => string }> {
  const root = await tempDir('hintgen');
  const config = join(root, 'speedrun.config.yaml');
  await writeFile(
    config,
    `models:\n  writer:\n    base_url: ${baseUrl}\n    model: ${STUB_MODEL}\n    api_key_env: null\n    max_retries: 0\n    prices: { input_per_million: 1, output_per_million: 2 }\n`,
  );
  const cache = join(root, 'cache');
  return { cache, config, dir: (record) => join(cache, 'hints', 'tiny', `r${String(record).padStart(2, '0')}`) };
}

const generate = (w: { cache: string; config: string }, ...args: string[]) =>
  speedrun(['hints', 'generate', '--track', 'tiny', '--model', 'writer', '--config', w.config, '--cache', w.cache, ...args]);
const hints = (cache: string, ...args: string[]) => speedrun(['hints', ...args, '--cache', cache]);
const readMeta = async (file: string) => GeneratedHintMeta.parse(JSON.parse(await readFile(file, 'utf8')));
const readCalls = async (file: string) =>
  (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => LlmCallRecord.parse(JSON.parse(line)));
const messagesOf = (request: StubRequest) => (request.body as { messages: Array<{ role: string; content: string }> }).messages;

let tinyDiff: string;
beforeAll(async () => {
  const script = (n: number) => readFile(join(packageRoot, 'records', 'tiny', `r${String(n).padStart(2, '0')}`, 'train_gpt.py'), 'utf8');
  tinyDiff = unifiedDiff('record-1/train_gpt.py', 'record-2/train_gpt.py', await script(1), await script(2));
});

describe('speedrun hints generate', () => {
  it('drafts each level from the true diff and the description, records every priced call, and writes a sidecar', async () => {
    stub = await startLlmStub([hintReply(HINT_TEXT[1]), hintReply(HINT_TEXT[2])]);
    const w = await workspace(stub.baseUrl);
    const ran = await generate(w, '--record', '1', '--levels', 'L1,L2', '--json');
    expect(ran.exitCode, ran.stderr).toBe(0);
    // tiny ships its own L1 and L2 for record 1: the command says which wins.
    expect(ran.stderr).toContain('track tiny ships its own L1, L2 for record 1');
    const out = JSON.parse(ran.stdout) as { drafts: Array<{ level: number; path: string; calls: number; cost_usd: number }>; failed: unknown[] };
    expect(out.failed).toEqual([]);
    expect(out.drafts.map((d) => [d.level, d.path, d.calls])).toEqual([
      [1, join(w.dir(1), 'L1.draft.md'), 1],
      [2, join(w.dir(1), 'L2.draft.md'), 1],
    ]);

    const [first, second] = stub.chatRequests().map(messagesOf);
    const task = first![1]!.content;
    expect(task).toContain(tinyDiff.trimEnd());
    expect(task).toContain('What record 2 changed, in one line: Tuned learning rate: AdamW peak 9e-4 (schedule unchanged)');
    expect(task).toContain('**pseudocode**');
    expect(second![1]!.content).toContain('**text description**');
    expect(first![0]!.content).toMatch(/^You write hints for a benchmark/);

    expect(await readFile(join(w.dir(1), 'L1.draft.md'), 'utf8')).toBe(`${HINT_TEXT[1]}\n`);
    const meta = await readMeta(join(w.dir(1), 'L1.draft.json'));
    const prompts = await loadHintPrompts();
    expect(meta).toMatchObject({
      status: 'draft',
      track: 'tiny',
      record: 1,
      next_record: 2,
      level: 1,
      model: 'writer',
      model_id: STUB_MODEL,
      prompt_version: 'v1',
      prompt_sha256: prompts.sha256,
      diff_sha256: sha256Hex(tinyDiff),
      text_sha256: sha256Hex(`${HINT_TEXT[1]}\n`),
      calls: 1,
      malformed_answers: 0,
      review: null,
    });
    expect(meta.usage.cost_usd).toBeCloseTo((1200 * 1 + 300 * 2) / 1e6, 12);

    const calls = await readCalls(join(w.dir(1), 'calls.jsonl'));
    expect(calls.map((c) => [c.purpose, c.model, c.cost_usd])).toEqual([
      ['hint', 'writer', meta.usage.cost_usd],
      ['hint', 'writer', meta.usage.cost_usd],
    ]);
    expect(calls[0]!.request.messages[1]!.content).toBe(task);

    // A second generate over a pending draft is refused before any call; --force writes a new draft.
    const again = await generate(w, '--record', '1', '--levels', 'L1');
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('record 1 of track tiny already has a draft L1 awaiting review');
    expect(stub.chatRequests()).toHaveLength(2);
    stub.enqueue(hintReply(`${HINT_TEXT[1]}\n# second`));
    const forced = await generate(w, '--record', '1', '--levels', 'L1', '--force');
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(await readFile(join(w.dir(1), 'L1.draft.md'), 'utf8')).toContain('# second');
  });

  it('gives garbage back with the reason; still garbage: exit 3, no draft file, every call recorded', async () => {
    stub = await startLlmStub([GARBAGE.noTags, GARBAGE.pastedDiff, hintReply(HINT_TEXT[2])]);
    const w = await workspace(stub.baseUrl);
    const ran = await generate(w, '--record', '2', '--levels', 'L1,L2', '--answer-retries', '1');
    expect(ran.exitCode, ran.stderr).toBe(3);
    expect(ran.stderr).toContain('no usable L1 hint in 2 answers; the last problem: it pastes the diff');
    expect(ran.stderr).toMatch(/1 draft\(s\) written; no file was written for the failed level/);
    const retry = messagesOf(stub.chatRequests()[1]!);
    expect(retry.at(-2)).toEqual({ role: 'assistant', content: GARBAGE.noTags.content });
    expect(retry.at(-1)!.content).toContain('Your answer could not be used: it holds no hint between a line <hint> and a line </hint>');
    const files = await readdir(w.dir(2));
    expect(files.filter((f) => f.startsWith('L1'))).toEqual([]);
    expect(files).toContain('L2.draft.md');
    const calls = await readCalls(join(w.dir(2), 'calls.jsonl'));
    expect(calls.map((c) => c.purpose)).toEqual(['hint', 'hint-retry', 'hint']);
  });

  it('keeps a hint that came after one unusable answer, counting the retry', async () => {
    stub = await startLlmStub([GARBAGE.symbols, hintReply(HINT_TEXT[3])]);
    const w = await workspace(stub.baseUrl);
    const ran = await generate(w, '--record', '3', '--levels', 'L3');
    expect(ran.exitCode, ran.stderr).toBe(0);
    const meta = await readMeta(join(w.dir(3), 'L3.draft.json'));
    expect([meta.calls, meta.malformed_answers]).toEqual([2, 1]);
    expect(meta.usage.prompt_tokens).toBe(2400);
  });

  it('refuses, before any call, a record without a successor and an unknown level', async () => {
    stub = await startLlmStub([]);
    const w = await workspace(stub.baseUrl);
    const last = await generate(w, '--record', '6', '--levels', 'L1');
    expect(last.exitCode).toBe(2);
    expect(last.stderr).toContain('track tiny has no record 7: record 6 starts no task');
    expect(last.stderr).toContain('1–5');
    for (const level of ['L4', 'L9', 'L0', 'pseudo']) {
      const bad = await generate(w, '--record', '1', '--levels', `L1,${level}`);
      expect(bad.exitCode, level).toBe(2);
      expect(bad.stderr).toContain(`unknown hint level "${level}"`);
    }
    expect(stub.chatRequests()).toHaveLength(0);
    expect(existsSync(join(w.cache, 'hints'))).toBe(false);
  });
});

describe('speedrun hints review, and what agents are offered', () => {
  it('accepts a draft into an offered hint and keeps a rejected one with its reason; no draft, nothing to review', async () => {
    stub = await startLlmStub([hintReply(HINT_TEXT[1]), hintReply(HINT_TEXT[2])]);
    const w = await workspace(stub.baseUrl);
    expect((await generate(w, '--record', '1', '--levels', 'L1,L2')).exitCode).toBe(0);

    // No flags, no terminal: the drafts are shown, each before the true diff, and nothing is decided.
    const look = await hints(w.cache, 'review', '--track', 'tiny', '--record', '1');
    expect(look.exitCode, look.stderr).toBe(0);
    const l1 = look.stdout.indexOf('optimizer: AdamW peak learning rate');
    expect(l1).toBeGreaterThan(-1);
    expect(look.stdout.indexOf('── true diff: record 1 → 2 ──', l1)).toBeGreaterThan(l1);
    expect(look.stdout).toContain('model writer (stub-model), prompts hints/v1');
    expect(look.stderr).toContain('decide with: speedrun hints review --track tiny --record 1 --level L1 --accept');
    expect(existsSync(join(w.dir(1), 'L1.draft.md'))).toBe(true);

    const ambiguous = await hints(w.cache, 'review', '--track', 'tiny', '--record', '1', '--accept');
    expect(ambiguous.exitCode).toBe(2);
    expect(ambiguous.stderr).toContain('record 1 has 2 drafts (L1, L2)');
    const noReason = await hints(w.cache, 'review', '--track', 'tiny', '--record', '1', '--level', 'L2', '--reject');
    expect(noReason.exitCode).toBe(2);
    expect(noReason.stderr).toContain('--reject needs --reason');

    const accepted = await hints(w.cache, 'review', '--track', 'tiny', '--record', '1', '--level', 'L1', '--accept', '--json');
    expect(accepted.exitCode, accepted.stderr).toBe(0);
    expect(JSON.parse(accepted.stdout)).toEqual({ reviewed: [{ level: 1, decision: 'accepted', path: join(w.dir(1), 'L1.md'), reason: null }] });
    const meta = await readMeta(join(w.dir(1), 'L1.json'));
    expect(meta).toMatchObject({ status: 'accepted', model: 'writer', prompt_version: 'v1', review: { decision: 'accepted', reason: null } });
    expect(Date.parse(meta.review!.at)).not.toBeNaN();
    expect(existsSync(join(w.dir(1), 'L1.draft.md'))).toBe(false);

    const rejected = await hints(w.cache, 'review', '--track', 'tiny', '--record', '1', '--level', 'L2', '--reject', '--reason', 'misses the schedule');
    expect(rejected.exitCode, rejected.stderr).toBe(0);
    const left = await readdir(w.dir(1));
    const rejectedMeta = left.find((f) => /^L2\.rejected-.*\.json$/.test(f))!;
    expect(await readMeta(join(w.dir(1), rejectedMeta))).toMatchObject({ status: 'rejected', review: { decision: 'rejected', reason: 'misses the schedule' } });
    expect(left.filter((f) => f.includes('draft'))).toEqual([]);

    const none = await hints(w.cache, 'review', '--track', 'tiny', '--record', '1');
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('no draft hint of any level to review for record 1 of track tiny');

    // tiny ships L1 and L2 for record 1: its own hint wins, and the list says the accepted one is shadowed.
    const shown = await hints(w.cache, 'show', '--track', 'tiny', '--record', '1', '--level', 'L1', '--json');
    const show = JSON.parse(shown.stdout) as { text: string; sources: Array<{ source: string }> };
    expect(show.text).not.toContain('optimizer: AdamW peak learning rate');
    expect(show.sources).toEqual([{ level: 1, source: 'bundled' }]);
    const listed = await hints(w.cache, 'list', '--track', 'tiny', '--record', '1', '--json');
    const rows = (JSON.parse(listed.stdout) as { hints: Array<{ level: number; source: string; status: string; model: string | null; reason: string | null }> })
      .hints;
    expect(rows.map((r) => [r.level, r.source, r.status, r.model, r.reason])).toEqual([
      [1, 'bundled', 'offered', null, null],
      [1, 'generated', 'shadowed', 'writer', null],
      [2, 'bundled', 'offered', null, null],
      [2, 'generated', 'rejected', 'writer', 'misses the schedule'],
      [3, 'bundled', 'offered', null, null],
    ]);
  });

  it('offers an accepted generated hint where the track lacks the level, and never a draft or a rejected one', async () => {
    const bin = await packageWithoutTinyHints([
      { record: 1, level: 2 },
      { record: 1, level: 3 },
    ]);
    const cli = (...args: string[]) => execa('node', [bin, ...args], { reject: false, stdin: 'ignore' });
    stub = await startLlmStub([hintReply(HINT_TEXT[2]), hintReply(HINT_TEXT[3])]);
    const w = await workspace(stub.baseUrl);
    const out = await tempDir('hintgen-runs');
    const run = (hint: string) =>
      cli('run', '--track', 'tiny', '--record', '1', '--hint', hint, '--agent', 'null', '--executor', 'sim', '--out', out, '--cache', w.cache, '--json');

    const before = await run('L2');
    expect(before.exitCode).toBe(2);
    expect(before.stderr).toContain('track tiny has no level-2 hint for record 1');

    const made = await cli(
      'hints',
      'generate',
      '--track',
      'tiny',
      '--record',
      '1',
      '--levels',
      'L2,L3',
      '--model',
      'writer',
      '--config',
      w.config,
      '--cache',
      w.cache,
    );
    expect(made.exitCode, made.stderr).toBe(0);
    // Drafts are not offered.
    expect((await run('L2')).exitCode).toBe(2);
    expect((await cli('records', 'show', '1', '--track', 'tiny', '--cache', w.cache, '--json')).stdout).toContain('"hint_levels":[0,1]');

    expect((await cli('hints', 'review', '--track', 'tiny', '--record', '1', '--level', 'L2', '--accept', '--cache', w.cache)).exitCode).toBe(0);
    expect(
      (await cli('hints', 'review', '--track', 'tiny', '--record', '1', '--level', 'L3', '--reject', '--reason', 'too vague', '--cache', w.cache)).exitCode,
    ).toBe(0);
    expect((await cli('records', 'show', '1', '--track', 'tiny', '--cache', w.cache, '--json')).stdout).toContain('"hint_levels":[0,1,2]');

    const ran = await run('L1+L2');
    expect(ran.exitCode, ran.stderr).toBe(0);
    const runId = (JSON.parse(ran.stdout) as { run_id: string }).run_id;
    const hintMd = await readFile(join(out, runId, 'hint.md'), 'utf8');
    expect(hintMd).toContain('## Hint level 2: text description of the change');
    expect(hintMd).toContain(HINT_TEXT[2]);
    expect(hintMd).toMatch(/^## Hint level 1: pseudocode of the change/);

    const rejected = await run('L3');
    expect(rejected.exitCode).toBe(2);
    expect(rejected.stderr).toContain('track tiny has no level-3 hint for record 1');

    const shown = await cli('hints', 'show', '--track', 'tiny', '--record', '1', '--level', 'L2', '--cache', w.cache);
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stderr).toContain('note: L2 was written by model writer (prompts hints/v1) and accepted');

    // An accepted hint edited after its review is refused, not offered.
    await writeFile(join(w.dir(1), 'L2.md'), `${HINT_TEXT[2]}\nedited later\n`);
    const edited = await cli('hints', 'show', '--track', 'tiny', '--record', '1', '--level', 'L2', '--cache', w.cache);
    expect(edited.exitCode).toBe(2);
    expect(edited.stderr).toContain('was changed after its review');
  });
});
