import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_IMAGE } from '../src/core/exec/docker/images.js';
import { packageRoot } from '../src/core/paths.js';
import { tinyScript } from './helpers/agent-fixtures.js';
import { speedrun } from './helpers/cli.js';
import { startLlmStub, STUB_MODEL } from './helpers/llm-stub.js';
import { filesContaining } from './helpers/files.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const REAL_KEY = 'sk-real-secret-7777-do-not-leak';

/**
 * The acceptance run of the agent protocol: the example agent (examples/agents/one_shot_agent.py), driven through
 * the model proxy by a scripted model that answers with record 2 of the tiny track, on tiny task 1 with real
 * training (torch), on this machine and in the agent's container. Each is a few CPU trainings: minutes.
 */
async function exampleAgentRun(executor: 'local' | 'docker') {
  const record2 = await tinyScript(2);
  const stub = await startLlmStub([
    { content: `Applied the next record.\n\n\`\`\`python\n${record2}\`\`\`\n`, usage: { prompt_tokens: 3000, completion_tokens: 2500 } },
  ]);
  try {
    const dir = await tempDir(`exec-example-${executor}`);
    const config = join(dir, 'speedrun.config.yaml');
    await writeFile(config, `models:\n  ${STUB_MODEL}:\n    base_url: ${stub.baseUrl}\n    prices: { input_per_million: 1, output_per_million: 4 }\n`);
    // In a container the workspace is the only mount: the command carries the agent's source itself.
    const source = await readFile(join(packageRoot, 'examples', 'agents', 'one_shot_agent.py'));
    const command = `env > captured-env.txt && echo ${source.toString('base64')} | base64 -d > agent.py && python3 agent.py`;
    const args = ['run', '--track', 'tiny', '--record', '1', '--agent', 'exec', '--agent-cmd', command, '--model', STUB_MODEL, '--config', config];
    // One retime of the baseline and the best node: three trainings in all.
    const retime = ['--retime', 'baseline', '--retime-repeats', '1'];
    const ran = await speedrun(
      [...args, '--executor', executor, ...retime, '--out', join(dir, 'results'), '--json'],
      {
        SPEEDRUN_CACHE: join(dir, 'cache'),
        OPENAI_API_KEY: REAL_KEY,
      },
      1_200_000,
    );
    expect(ran.stderr).not.toMatch(/Traceback/);
    expect(ran.exitCode, ran.stderr).toBe(0);
    const summary = JSON.parse(ran.stdout);
    expect(summary).toMatchObject({ status: 'finished', best: { node: 1 } });
    expect(summary.fsr).toBeGreaterThanOrEqual(0.6);
    const calls = (await readFile(join(summary.results_dir, 'nodes', '1', 'llm-calls.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(calls).toEqual([expect.objectContaining({ purpose: 'agent', usage: { prompt_tokens: 3000, completion_tokens: 2500 }, cost_usd: 0.013 })]);
    expect(stub.chatRequests()[0]!.headers.authorization).toBe(`Bearer ${REAL_KEY}`);
    const env = await readFile(join(summary.results_dir, 'nodes', '1', 'workspace', 'captured-env.txt'), 'utf8');
    expect(env).toMatch(/^OPENAI_API_KEY=sk-speedrun-/m);
    // The real key is nowhere under the results folder: files, workspace, captured environment, trajectory.
    expect(await filesContaining(summary.results_dir, REAL_KEY)).toEqual([]);
    return JSON.parse(await readFile(join(summary.results_dir, 'run.json'), 'utf8')).config.agent_config;
  } finally {
    await stub.close();
  }
}

describe('the example exec agent on tiny task 1, through the proxy, with real training', () => {
  it('reaches FSR ≥ 0.6 on this machine', async () => {
    expect(await exampleAgentRun('local')).toMatchObject({ name: 'exec', sandbox: 'none (local)' });
  }, 1_200_000);

  it('reaches FSR ≥ 0.6 in its container, reaching the proxy through the socket', async () => {
    expect(await exampleAgentRun('docker')).toMatchObject({ name: 'exec', sandbox: `docker (${AGENT_IMAGE}, no network)` });
  }, 1_200_000);
});
