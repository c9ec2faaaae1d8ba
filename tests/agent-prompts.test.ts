import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NodeHistory, ProposeInput } from '../src/core/agent/agent.js';
import { EDIT_FORMATS } from '../src/core/agent/edits/edit-format.js';
import { proposalMessages } from '../src/core/agent/prompt-builder.js';
import { loadPromptSet, PROMPT_VERSION, type PromptSet } from '../src/core/agent/prompts.js';
import { loadTrack } from '../src/core/catalog/catalog.js';
import { packageRoot } from '../src/core/paths.js';
import type { NodeResult } from '../src/core/store/schema.js';
import { baselineResult, draftInput } from './helpers/agent-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const root: NodeHistory = { result: baselineResult(), note: null, analysis: null };
const ok = (node: number, parent: number, timeMs: number, note: string): NodeHistory => ({
  result: {
    ...baselineResult(),
    node,
    parent,
    operator: node === 1 ? 'draft' : 'improve',
    measured_by: 'executed',
    time_to_target_ms: timeMs,
    val_loss_at_target: 1.89,
  },
  note,
  analysis: null,
});
const crashed = (node: number, parent: number, note: string): NodeHistory => ({
  result: { ...baselineResult(), node, parent, operator: 'improve', status: 'crashed', measured_by: 'executed', time_to_target_ms: null, exit_code: 1 },
  note,
  analysis: null,
});

function render(prompts: PromptSet, input: ProposeInput): { system: string; user: string } {
  const [system, user] = proposalMessages(prompts, 'search-replace', input);
  return { system: system!.content, user: user!.content };
}

/** One input per operator, each with a parent that makes sense for it. */
async function inputs(overrides: Partial<ProposeInput> = {}): Promise<ProposeInput[]> {
  const good = ok(1, 0, 30_000, 'raised the learning rate');
  const bad = crashed(2, 1, 'doubled the batch');
  return [
    await draftInput(overrides),
    await draftInput({ node: 3, operator: 'improve', parent: good, history: [root, good], ...overrides }),
    await draftInput({ node: 3, operator: 'debug', parent: bad, history: [root, good, bad], parentLogTail: 'RuntimeError: boom', ...overrides }),
    await draftInput({
      node: 3,
      operator: 'crossover',
      parent: good,
      history: [root, good],
      secondParent: { ...ok(4, 0, 32_000, 'warmup'), script: 'print(2)\n' },
      ...overrides,
    }),
  ];
}

describe('the prompts an agent gets (v2)', () => {
  it('is the version new runs use', () => {
    expect(PROMPT_VERSION).toBe('v2');
  });

  it("gives the task, the baseline's time and the hardware, but not the next record's time by default", async () => {
    const prompts = await loadPromptSet();
    for (const input of await inputs()) {
      const { user } = render(prompts, input);
      expect(user).toContain('≤ 1.9');
      expect(user).toContain('36.0 s of train_time');
      expect(user).toContain('a test machine with 2 CPU cores');
      expect(user).not.toContain('21.9 s');
      expect(user).not.toMatch(/reached it in/);
    }
  });

  it("states the next record's time when the run reveals it", async () => {
    const prompts = await loadPromptSet();
    for (const input of await inputs({ revealTargetTime: true })) {
      const { user } = render(prompts, input);
      expect(user).toMatch(/The next record on this track reached it in 21\.9 s/);
      expect(user).toContain('36.0 s of train_time');
    }
  });

  it("explains how time is read by the track's timing rule", async () => {
    const prompts = await loadPromptSet();
    const tiny = await loadTrack('tiny');
    const final = render(prompts, await draftInput({ manifest: { ...tiny, timing_rule: 'final' } })).system;
    expect(final).toMatch(/`train_time` of the final validation line, and that line's `val_loss` must be at or\s+below the target/);
    expect(final).not.toMatch(/first validation line/);
    const first = render(prompts, await draftInput({ manifest: { ...tiny, timing_rule: 'first-crossing' } })).system;
    expect(first).toMatch(/`train_time` of the first validation line whose `val_loss` is at or below the\s+target/);
    expect(first).not.toMatch(/final validation line/);
    // The nanogpt track is timed by its final line, as the records themselves are.
    expect(render(prompts, await draftInput({ manifest: await loadTrack('nanogpt') })).system).toMatch(/final validation line/);
  });

  it('shows improve, debug and crossover the failed and slower attempts outside the history, and leaves the section out when there are none', async () => {
    const prompts = await loadPromptSet();
    const others = [crashed(5, 1, 'switched to bf16 matmuls'), ok(6, 1, 31_000, 'longer warmup')];
    const [draft, ...rest] = await inputs({ otherAttempts: others });
    expect(render(prompts, draft!).user).not.toMatch(/Other attempts/);
    for (const input of rest) {
      const { user } = render(prompts, input);
      expect(user, input.operator).toMatch(/# Other attempts that failed or were not faster/);
      expect(user).toContain('- node 5 (improve of node 1): switched to bf16 matmuls → crashed with exit code 1');
      expect(user).toContain('- node 6 (improve of node 1): longer warmup → reached the target at train_time 31.0 s');
      // The section sits after the history and before the script.
      expect(user.indexOf('# What has been tried so far')).toBeLessThan(user.indexOf('# Other attempts'));
      expect(user.indexOf('# Other attempts')).toBeLessThan(user.indexOf('```python'));
    }
    for (const input of await inputs({ otherAttempts: [] })) expect(render(prompts, input).user).not.toMatch(/Other attempts/);
  });

  it('keeps a long error of an attempt to one bounded line', async () => {
    const prompts = await loadPromptSet();
    const noisy: NodeResult = { ...crashed(5, 1, 'x').result, status: 'rejected', error: 'e'.repeat(2000) };
    const [, improve] = await inputs({ otherAttempts: [{ result: noisy, note: 'patched the timer', analysis: null }] });
    const line = render(prompts, improve!)
      .user.split('\n')
      .find((l) => l.startsWith('- node 5'))!;
    expect(line.length).toBeLessThan(400);
    expect(line).toMatch(/\.\.\.$/);
  });

  it('renders every operator, edit format and option without a hole (unused or missing values throw)', async () => {
    for (const version of ['v1', 'v2']) {
      const prompts = await loadPromptSet(version);
      for (const reveal of [false, true]) {
        for (const hint of ['', 'a hint']) {
          for (const input of await inputs({ revealTargetTime: reveal, hint, otherAttempts: [crashed(5, 1, 'x')] })) {
            for (const format of EDIT_FORMATS) {
              const messages = proposalMessages(prompts, format, input);
              for (const m of messages) expect(m.content, `${version} ${input.operator} ${format}`).not.toMatch(/\{\{|\}\}/);
            }
          }
        }
      }
    }
  });
});

describe('the v1 prompts, kept for recorded runs and their replays', () => {
  it("still state the next record's time and the first-crossing rule, and show no other attempts", async () => {
    const v1 = await loadPromptSet('v1');
    for (const input of await inputs({ revealTargetTime: false, otherAttempts: [crashed(5, 1, 'switched to bf16 matmuls')] })) {
      const { system, user } = render(v1, input);
      expect(user).toContain('the next record on this track reached it in 21.9 s');
      expect(system).toMatch(/first validation line whose `val_loss` is at or below the target/);
      expect(user).not.toContain('bf16');
    }
  });

  it('has a different hash from v2, so a run records which one it used', async () => {
    expect((await loadPromptSet('v1')).sha256).not.toBe((await loadPromptSet('v2')).sha256);
  });
});

describe('loading a prompt set', () => {
  it('refuses a set with a timing sentence for one rule but not the other', async () => {
    const dir = await tempDir('prompts');
    await cp(join(packageRoot, 'prompts', 'v2'), join(dir, 'prompts', 'vx'), { recursive: true });
    await rm(join(dir, 'prompts', 'vx', 'timing-first-crossing.md'));
    await expect(loadPromptSet('vx', dir)).rejects.toThrow(/lacks timing-first-crossing\.md/);
  });
});
