import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { planBench } from '../src/core/bench/bench-plan.js';
import { loadTrack } from '../src/core/catalog/catalog.js';
import { parseBenchSpec } from '../src/core/bench/bench-file.js';
import { NodeResult, RunSummary } from '../src/core/store/schema.js';
import { tinyScript } from './helpers/agent-fixtures.js';
import { speedrun } from './helpers/cli.js';
import { searchReplaceAnswer } from './helpers/edit-answers.js';
import { closedBaseUrl, startLlmStub, type LlmStub } from './helpers/llm-stub.js';
import { filesContaining } from './helpers/files.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);
let stub: LlmStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const SECRET = 'sk-cli-secret-never-on-disk-7777';
const NO_OP = 'Keep it.\n<<<<<<< SEARCH\nimport glob\n=======\nimport glob\n>>>>>>> REPLACE\n';

// The real binary against a loopback OpenAI-compatible server.
describe('speedrun run --agent llm', () => {
  let cache: string;
  let out: string;
  beforeAll(async () => {
    cache = await tempDir('llm-cli-cache');
    out = await tempDir('llm-cli-out');
  });
  // Without re-timing unless a test asks for it: these tests are about prompts and run folders, and re-timing
  // would train record 1 (tens of seconds) in every run.
  const base = (record = '1') => [
    'run',
    '--track',
    'tiny',
    '--record',
    record,
    '--hint',
    'L1',
    '--agent',
    'llm',
    '--retime',
    'none',
    '--cache',
    cache,
    '--out',
    out,
    '--json',
  ];

  it('trains the model’s search/replace edit of record 5 and scores it against record 5 trained in the same run', { timeout: 300_000 }, async () => {
    const [r5, r6] = [await tinyScript(5), await tinyScript(6)];
    const prose = 'I add value embeddings and U-net skips.';
    stub = await startLlmStub([{ content: searchReplaceAnswer(r5, r6, prose), usage: { prompt_tokens: 4000, completion_tokens: 150 } }]);
    // Record 5 and the edit train here, record 5 again and the edit once more in the scoring round: the order holds
    // whatever else the machine is doing (a calibrated or record-table t_i from another moment would not).
    const result = await speedrun([...base('5'), '--retime', 'baseline', '--retime-repeats', '1', '--base-url', stub.baseUrl, '--model', 'stub'], {
      OPENAI_API_KEY: SECRET,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = RunSummary.parse(JSON.parse(result.stdout));
    expect(summary).toMatchObject({
      agent: 'llm',
      model: 'stub',
      status: 'finished',
      best: { node: 1 },
      times_from: 'run+record-table',
      usage: { llm_calls: 1, prompt_tokens: 4000 },
    });
    expect(summary.fsr!).toBeGreaterThan(0);
    const node = NodeResult.parse(JSON.parse(await readFile(join(summary.results_dir, 'nodes', '1', 'result.json'), 'utf8')));
    expect(node).toMatchObject({ status: 'ok', measured_by: 'executed', note: prose });
    expect(await readFile(join(summary.results_dir, 'nodes', '1', 'train_gpt.py'), 'utf8')).toBe(r6);
    expect(result.stderr).toMatch(/node 1: LLM propose, 4000 \+ 150 tokens/);
    expect(await filesContaining(out, SECRET)).toEqual([]);
  });

  it('exits 2 and names the variable when the API key is missing', async () => {
    stub = await startLlmStub();
    const result = await speedrun([...base(), '--base-url', stub.baseUrl, '--model', 'stub'], { OPENAI_API_KEY: '' });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/OPENAI_API_KEY/);
    expect(result.stderr).toMatch(/export OPENAI_API_KEY/);
    expect(stub.requests).toHaveLength(0);
  });

  it('exits 3 with a fix when nothing answers at the endpoint, before preparing anything', async () => {
    const result = await speedrun([...base(), '--base-url', await closedBaseUrl(), '--model', 'stub'], { OPENAI_API_KEY: SECRET });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/LLM endpoint/);
    expect(result.stderr).toMatch(/--base-url/);
    expect(result.stderr).not.toContain(SECRET);
  });

  it('exits 2 when --agent llm has no --model, and names bad config fields', async () => {
    const noModel = await speedrun(base(), { OPENAI_API_KEY: SECRET });
    expect(noModel.exitCode).toBe(2);
    expect(noModel.stderr).toMatch(/--model/);
    const config = join(await tempDir('cfg'), 'speedrun.config.yaml');
    await writeFile(config, 'models:\n  mine:\n    temperature: hot\n');
    const bad = await speedrun([...base(), '--config', config, '--model', 'mine'], { OPENAI_API_KEY: SECRET });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/models\.mine\.temperature/);
  });

  it("hides the next record's time unless --reveal-target-time, records the choice in run.json, and a replay keeps it", { timeout: 180_000 }, async () => {
    stub = await startLlmStub([{ content: NO_OP }, { content: NO_OP }]);
    const llm = [...base(), '--base-url', stub.baseUrl, '--model', 'stub'];
    const revealed = await speedrun([...llm, '--reveal-target-time'], { OPENAI_API_KEY: SECRET });
    expect(revealed.exitCode, revealed.stderr).toBe(0);
    const hidden = await speedrun(llm, { OPENAI_API_KEY: SECRET });
    expect(hidden.exitCode, hidden.stderr).toBe(0);
    const [told, notTold] = stub.chatRequests().map((r) => (r.body as { messages: Array<{ content: string }> }).messages[1]!.content);
    expect(told).toMatch(/The next record on this track reached it in \d/);
    expect(notTold).not.toMatch(/reached it in/);
    const config = async (stdout: string) => JSON.parse(await readFile(join(RunSummary.parse(JSON.parse(stdout)).results_dir, 'run.json'), 'utf8')).config;
    expect((await config(revealed.stdout)).reveal_target_time).toBe(true);
    expect((await config(hidden.stdout)).reveal_target_time).toBe(false);
    await stub.close();
    stub = undefined;

    // A replay renders the prompts its recording was made with, whatever the flags say.
    const replay = await speedrun([...base(), '--agent', 'replay', '--replay', RunSummary.parse(JSON.parse(revealed.stdout)).results_dir], {
      OPENAI_API_KEY: '',
    });
    expect(replay.exitCode, replay.stderr).toBe(0);
    expect(replay.stderr).toMatch(/recorded with the next record's time in its prompts; the replay keeps that/);
    const replayDir = RunSummary.parse(JSON.parse(replay.stdout)).results_dir;
    expect((await config(replay.stdout)).reveal_target_time).toBe(true);
    const calls = await readFile(join(replayDir, 'nodes', '1', 'llm-calls.jsonl'), 'utf8');
    expect(calls).toMatch(/The next record on this track reached it in \d/);
  });

  it('takes reveal_target_time from a bench spec file into every run.json', { timeout: 180_000 }, async () => {
    stub = await startLlmStub([{ content: NO_OP }]);
    const dir = await tempDir('bench-spec');
    const spec = join(dir, 'bench.yaml');
    await writeFile(
      spec,
      `tracks: [tiny]\nrecords: [1]\nhints: [L1]\nagents: [{name: llm, model: stub, base_url: '${stub.baseUrl}'}]\nnodes: 1\nretime: none\nreveal_target_time: true\n`,
    );
    const result = await speedrun(['bench', spec, '--out', join(dir, 'out'), '--cache', cache, '--json'], { OPENAI_API_KEY: SECRET });
    expect(result.exitCode, result.stderr).toBe(0);
    const bench = JSON.parse(await readFile(join(dir, 'out', 'bench.json'), 'utf8')) as { spec: { reveal_target_time: boolean }; run_ids: string[] };
    expect(bench.spec.reveal_target_time).toBe(true);
    const config = JSON.parse(await readFile(join(dir, 'out', bench.run_ids[0]!, 'run.json'), 'utf8')).config;
    expect(config.reveal_target_time).toBe(true);
    expect((stub.chatRequests()[0]!.body as { messages: Array<{ content: string }> }).messages[1]!.content).toMatch(/reached it in/);
  });

  it('takes --reveal-target-time on bench into its spec and run.json', { timeout: 180_000 }, async () => {
    const dir = await tempDir('bench-flag');
    const result = await speedrun([
      'bench',
      '--track',
      'tiny',
      '--records',
      '1',
      '--agents',
      'null',
      '--retime',
      'none',
      '--reveal-target-time',
      '--out',
      dir,
      '--cache',
      cache,
      '--json',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    const bench = JSON.parse(await readFile(join(dir, 'bench.json'), 'utf8')) as { spec: { reveal_target_time: boolean }; run_ids: string[] };
    expect(bench.spec.reveal_target_time).toBe(true);
    expect(JSON.parse(await readFile(join(dir, bench.run_ids[0]!, 'run.json'), 'utf8')).config.reveal_target_time).toBe(true);
  });

  it('resumes a run started with an older prompt set on that set, so its nodes never mix prompt versions', { timeout: 180_000 }, async () => {
    stub = await startLlmStub([{ content: NO_OP }]);
    const dir = await tempDir('bench-resume-v1');
    const spec = join(dir, 'bench.yaml');
    const agent = { name: 'llm', model: 'stub', base_url: stub.baseUrl };
    await writeFile(spec, `tracks: [tiny]\nrecords: [1]\nhints: [L1]\nagents: [${JSON.stringify(agent)}]\nnodes: 1\nretime: none\n`);
    // A run left unfinished by a version that wrote v1 prompts: its run.json has no result and no reveal setting.
    const [cell] = planBench(
      parseBenchSpec({ tracks: ['tiny'], records: [1], hints: ['L1'], agents: [agent], nodes: 1 }, 'test'),
      new Map([['tiny', await loadTrack('tiny')]]),
    );
    const config = {
      run_id: cell!.run_id,
      track: 'tiny',
      record: 1,
      hint: 'L1',
      agent: 'llm',
      executor: 'local',
      python: null,
      torch_version: null,
      agent_config: { name: 'llm', model: 'stub', prompt_version: 'v1', prompts_sha256: '0'.repeat(64) },
      budget: {},
      scaffold: { name: 'flat' },
      seed: 1,
      created_at: new Date().toISOString(),
    };
    await mkdir(join(dir, 'out', cell!.run_id), { recursive: true });
    await writeFile(join(dir, 'out', cell!.run_id, 'run.json'), JSON.stringify({ config, result: null }));
    const result = await speedrun(['bench', spec, '--out', join(dir, 'out'), '--cache', cache, '--json'], { OPENAI_API_KEY: SECRET });
    expect(result.exitCode, result.stderr).toBe(0);
    const prompt = (stub.chatRequests()[0]!.body as { messages: Array<{ content: string }> }).messages[1]!.content;
    // v1's own wording, which always stated the next record's time.
    expect(prompt).toMatch(/; the next record on this track reached it in [\d.]+ s \(times measured on/);
    const recorded = JSON.parse(await readFile(join(dir, 'out', cell!.run_id, 'run.json'), 'utf8'));
    expect(recorded.config.agent_config.prompt_version).toBe('v1');
    expect(recorded.result.status).toBe('finished');
  });

  it('uses a model profile from the config file, and replays the run without an endpoint or key', { timeout: 120_000 }, async () => {
    stub = await startLlmStub([{ content: NO_OP }, { content: '<<<<<<< SEARCH\nnot in the script\n=======\nx\n>>>>>>> REPLACE' }, { content: NO_OP }]);
    const config = join(await tempDir('cfg'), 'speedrun.config.yaml');
    await writeFile(config, `models:\n  local-coder:\n    base_url: ${stub.baseUrl}\n    model: served-name\n    api_key_env: null\n    temperature: 0.3\n`);
    // Its nodes are record 1 again (no-op edits, duplicates of node 0): node 0 keeps the record table's time rather
    // than training record 1 here, in both runs (--retime none).
    const live = await speedrun([...base(), '--config', config, '--model', 'local-coder', '--nodes', '2', '--retime', 'none'], { OPENAI_API_KEY: '' });
    expect(live.exitCode, live.stderr).toBe(0);
    const recorded = RunSummary.parse(JSON.parse(live.stdout));
    expect(recorded).toMatchObject({ model: 'local-coder', usage: { llm_calls: 3 } });
    expect(stub.chatRequests()[0]!.body).toMatchObject({ model: 'served-name', temperature: 0.3 });
    await stub.close();
    stub = undefined;

    const replay = await speedrun([...base(), '--agent', 'replay', '--replay', recorded.results_dir, '--nodes', '2', '--retime', 'none'], {
      OPENAI_API_KEY: '',
    });
    expect(replay.exitCode, replay.stderr).toBe(0);
    const replayed = RunSummary.parse(JSON.parse(replay.stdout));
    expect(replayed).toMatchObject({ agent: 'replay', model: 'local-coder', status: 'finished', usage: { llm_calls: 3 } });
    for (const n of ['1', '2']) {
      const read = async (dir: string) => NodeResult.parse(JSON.parse(await readFile(join(dir, 'nodes', n, 'result.json'), 'utf8')));
      expect(await read(replayed.results_dir)).toEqual(await read(recorded.results_dir));
    }
  });
});
