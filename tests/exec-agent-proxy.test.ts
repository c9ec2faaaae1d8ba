import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/core/paths.js';
import { speedrun } from './helpers/cli.js';
import { startLlmStub, STUB_MODEL } from './helpers/llm-stub.js';
import { tinyScript } from './helpers/agent-fixtures.js';
import { filesContaining } from './helpers/files.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const EXAMPLE_AGENT = join(packageRoot, 'examples', 'agents', 'one_shot_agent.py');
const REAL_KEY = 'sk-real-secret-4242-do-not-leak';

describe('the example exec agent through the model proxy', () => {
  it('reaches the next record with a model that answers with it; calls recorded with tokens and cost, and the real key nowhere', async () => {
    const record2 = await tinyScript(2);
    const stub = await startLlmStub([
      { content: `Applied the next record's changes.\n\n\`\`\`python\n${record2}\`\`\`\n`, usage: { prompt_tokens: 1200, completion_tokens: 900 } },
    ]);
    try {
      const dir = await tempDir('exec-proxy');
      const profile = `models:\n  ${STUB_MODEL}:\n    base_url: ${stub.baseUrl}\n    prices: { input_per_million: 1, output_per_million: 2 }\n`;
      await writeFile(join(dir, 'speedrun.config.yaml'), profile);
      // The agent's environment is captured in its workspace, which the leak check below reads too.
      const command = `env > captured-env.txt && python3 ${EXAMPLE_AGENT}`;
      const args = ['run', '--track', 'tiny', '--record', '1', '--agent', 'exec', '--agent-cmd', command, '--model', STUB_MODEL];
      const ran = await speedrun([...args, '--config', join(dir, 'speedrun.config.yaml'), '--executor', 'sim', '--out', join(dir, 'results'), '--json'], {
        SPEEDRUN_CACHE: join(dir, 'cache'),
        OPENAI_API_KEY: REAL_KEY,
      });
      expect(ran.stderr).not.toContain(REAL_KEY);
      expect(ran.exitCode).toBe(0);
      const summary = JSON.parse(ran.stdout);
      expect(summary.status).toBe('finished');
      expect(summary.fsr).toBeGreaterThanOrEqual(0.6);

      // The model got the real key from the proxy; the agent only ever had the run's token.
      const chat = stub.chatRequests();
      expect(chat).toHaveLength(1);
      expect(chat[0]!.headers.authorization).toBe(`Bearer ${REAL_KEY}`);
      const calls = (await readFile(join(summary.results_dir, 'nodes', '1', 'llm-calls.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ node: 1, purpose: 'agent', usage: { prompt_tokens: 1200, completion_tokens: 900 }, cost_usd: 0.003 });
      expect(JSON.parse(await readFile(join(summary.results_dir, 'nodes', '1', 'result.json'), 'utf8'))).toMatchObject({
        status: 'ok',
        note: "Applied the next record's changes.",
        llm: { llm_calls: 1, prompt_tokens: 1200, completion_tokens: 900 },
      });
      const env = await readFile(join(summary.results_dir, 'nodes', '1', 'workspace', 'captured-env.txt'), 'utf8');
      expect(env).toMatch(/^OPENAI_API_KEY=sk-speedrun-[0-9a-f]+$/m);
      expect(env).toMatch(/^OPENAI_BASE_URL=http:\/\/127\.0\.0\.1:\d+\/v1$/m);
      // Not in the results folder, the workspace and captured environment (inside it), nor the trajectory.
      const leaks = await filesContaining(summary.results_dir, REAL_KEY);
      expect(leaks).toEqual([]);
    } finally {
      await stub.close();
    }
  });

  it('ends the run budget-exhausted when the proxy refuses a call for budget, with the node on record', async () => {
    const record2 = await tinyScript(2);
    const stub = await startLlmStub([{ content: `Next record.\n\n\`\`\`python\n${record2}\`\`\`\n`, usage: { prompt_tokens: 10, completion_tokens: 10 } }]);
    try {
      const dir = await tempDir('exec-budget');
      // Two calls in one node: the second is refused (429), the agent exits non-zero.
      const command = `python3 ${EXAMPLE_AGENT} && python3 ${EXAMPLE_AGENT}`;
      const args = ['run', '--track', 'tiny', '--record', '1', '--agent', 'exec', '--agent-cmd', command, '--model', STUB_MODEL, '--base-url', stub.baseUrl];
      const ran = await speedrun([...args, '--nodes', '2', '--max-llm-calls', '1', '--executor', 'sim', '--out', join(dir, 'results'), '--json'], {
        SPEEDRUN_CACHE: join(dir, 'cache'),
        OPENAI_API_KEY: REAL_KEY,
      });
      expect(ran.exitCode).toBe(0);
      const summary = JSON.parse(ran.stdout);
      expect(summary.status).toBe('budget-exhausted');
      const node1 = JSON.parse(await readFile(join(summary.results_dir, 'nodes', '1', 'result.json'), 'utf8'));
      expect(node1.status).toBe('agent-failed');
      expect(node1.error).toMatch(/after the run's LLM budget ran out \(1 of 1 calls used\)/);
      expect(stub.chatRequests()).toHaveLength(1);
    } finally {
      await stub.close();
    }
  });

  it('trains what the agent asks for with ./speedrun-tool as nodes of their own, audited and scored', async () => {
    const record2 = join(packageRoot, 'records', 'tiny', 'r02', 'train_gpt.py');
    const dir = await tempDir('exec-experiments');
    // Two experiments (record 2 with a statement added, then record 2 itself), then an answer of its own.
    const command = [
      `cp '${record2}' train_gpt.py && echo 'tried_first = 1' >> train_gpt.py && ./speedrun-tool train --note 'first try' > first.json`,
      `cp '${record2}' train_gpt.py && ./speedrun-tool train --note 'record 2' > second.json`,
      `echo 'answered = 1' >> train_gpt.py && echo 'record 2 and a statement' > notes.md`,
    ].join(' && ');
    const args = ['run', '--track', 'tiny', '--record', '1', '--agent', 'exec', '--agent-cmd', command, '--nodes', '3'];
    const ran = await speedrun([...args, '--executor', 'sim', '--out', join(dir, 'results'), '--json'], { SPEEDRUN_CACHE: join(dir, 'cache') });
    expect(ran.exitCode).toBe(0);
    const summary = JSON.parse(ran.stdout);
    const read = async (node: number, file: string) => JSON.parse(await readFile(join(summary.results_dir, 'nodes', String(node), file), 'utf8'));
    expect(await read(2, 'node.json')).toMatchObject({ parent: 0, experiment_of: 1 });
    expect(await read(3, 'node.json')).toMatchObject({ parent: 0, experiment_of: 1 });
    for (const node of [1, 2, 3]) {
      const result = await read(node, 'result.json');
      expect(result).toMatchObject({ status: 'ok', measured_by: 'executed' });
      expect(result.integrity?.verdict).toBeDefined();
    }
    // The agent read each experiment's measurement from the tool.
    const second = await read(1, join('workspace', 'second.json'));
    expect(second).toMatchObject({ node: 3, status: 'ok' });
    expect(second.time_to_target_ms).toBeLessThan((await read(2, 'result.json')).time_to_target_ms);
    expect(summary.best.node).toBe(3);
  });

  it('./speedrun-tool train --smoke N trains a few steps as an unscored node; a bad N is refused by the tool', async () => {
    const dir = await tempDir('exec-smoke');
    const command = [
      `./speedrun-tool train --smoke 3 --note 'does it run' > smoke.json`,
      `{ ./speedrun-tool train --smoke 0 2> bad.txt; echo $? > bad-exit.txt; }`,
      `echo 'checked = 1' >> train_gpt.py`,
    ].join(' && ');
    const args = ['run', '--track', 'tiny', '--record', '1', '--agent', 'exec', '--agent-cmd', command, '--nodes', '2'];
    const ran = await speedrun([...args, '--executor', 'sim', '--out', join(dir, 'results'), '--json'], { SPEEDRUN_CACHE: join(dir, 'cache') });
    expect(ran.exitCode, ran.stderr).toBe(0);
    const summary = JSON.parse(ran.stdout);
    const nodeFile = (node: number, file: string) => join(summary.results_dir, 'nodes', String(node), file);
    const smoke = JSON.parse(await readFile(nodeFile(1, join('workspace', 'smoke.json')), 'utf8'));
    expect(smoke).toMatchObject({ node: 2, status: 'missed-target', time_to_target_ms: null });
    expect(smoke.warnings.join('\n')).toMatch(/smoke experiment: trained 3 steps/);
    expect(JSON.parse(await readFile(nodeFile(2, 'node.json'), 'utf8'))).toMatchObject({ experiment_of: 1, smoke_steps: 3 });
    expect(await readFile(nodeFile(2, 'smoke.diff'), 'utf8')).toMatch(/^\+\s*num_iterations = 3$/m);
    expect((await readFile(nodeFile(1, join('workspace', 'bad-exit.txt')), 'utf8')).trim()).toBe('2');
    expect(await readFile(nodeFile(1, join('workspace', 'bad.txt')), 'utf8')).toMatch(/a positive whole number of steps, not '0'/);
    // The smoke node is never the best, whatever its few steps took.
    expect([0, 1]).toContain(summary.best.node);
  });
});
