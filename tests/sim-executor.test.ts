import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrack } from '../src/core/catalog/catalog.js';
import { packageRoot } from '../src/core/paths.js';
import { SimExecutor } from '../src/core/exec/sim/sim-executor.js';
import { simulatedGpus, simTimeScale } from '../src/core/exec/sim/sim-settings.js';
import { SimChatClient } from '../src/core/agent/llm/sim-client.js';
import type { ExecSpec } from '../src/core/exec/types.js';
import { executeNode } from '../src/core/train/execute-node.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const tiny = await loadTrack('tiny');
const record = (n: number) => tiny.records.find((r) => r.number === n)!;
const recordScript = (n: number) => readFile(join(packageRoot, record(n).script.path), 'utf8');
const timing = { target: tiny.target_val_loss, rule: tiny.timing_rule };

async function node(script: string, opts: { timeScale?: number; timeoutMs?: number; signal?: AbortSignal } = {}) {
  const dir = await tempDir('sim');
  const scriptPath = join(dir, 'train_gpt.py');
  await writeFile(scriptPath, script);
  const executor = new SimExecutor({ manifest: tiny, record: 1, timeScale: opts.timeScale ?? 0 });
  const launch = { runner: 'python' as const, nproc: 1, timeoutMs: opts.timeoutMs ?? 600_000, python: 'python3', env: {}, readOnlyDirs: [] };
  const result = await executeNode({
    runId: 'sim',
    node: 1,
    parent: 0,
    operator: 'draft',
    scriptPath,
    scriptSha256: 'x',
    workDir: dir,
    executor,
    launch,
    timing,
    signal: opts.signal,
  });
  return { result, stdout: await readFile(join(dir, 'stdout.log'), 'utf8') };
}

/** Within 5 standard deviations of the record's time: the draw is seeded, but the test should not depend on the seed. */
function near(ms: number | null, mean: number, sd: number) {
  expect(ms).not.toBeNull();
  expect(Math.abs(ms! - mean)).toBeLessThanOrEqual(5 * sd);
}

describe('the simulated executor', () => {
  it("trains a record's own script like that record: a log the real parser reads, the time from the record table", async () => {
    const { result, stdout } = await node(await recordScript(3));
    expect(result.status).toBe('ok');
    near(result.time_to_target_ms, record(3).time_ms, record(3).time_ms * 0.01);
    expect(result.final?.val_loss).toBeLessThanOrEqual(tiny.target_val_loss);
    expect(stdout).toMatch(/^step:10\/10 val_loss:\S+ train_time:\d+ms step_avg:\S+ms$/m);
    expect(result.warnings).toEqual([]);
  });

  it('trains an unknown script like the baseline, a marked one at its speed-up, and crashes a crash', async () => {
    const base = record(1).time_ms;
    near((await node('print("other")\n')).result.time_to_target_ms, base, base * 0.01);
    near((await node('x = 1\n# speedrun-sim: speedup=0.5\n')).result.time_to_target_ms, base * 0.5, base * 0.005);
    const crashed = (await node('# speedrun-sim: speedup=0.5\n# speedrun-sim: crash\n')).result;
    expect(crashed.status).toBe('crashed');
    expect(crashed.exit_code).toBe(1);
    expect(crashed.stderr_tail).toMatch(/simulated crash/);
  });

  it('times out on the simulated clock even when it waits for nothing', async () => {
    const { result } = await node(await recordScript(1), { timeoutMs: 1000 });
    expect(result.status).toBe('timeout');
    expect(result.time_to_target_ms).toBeNull();
  });

  it('stops when aborted, mid-wait', async () => {
    const controller = new AbortController();
    // Scale 1: record 1 would take half a minute; the abort comes as soon as its log file exists... or before.
    const pending = node(await recordScript(1), { timeScale: 1, signal: controller.signal });
    setImmediate(() => controller.abort());
    const { result } = await pending;
    expect(result.status).toBe('aborted');
  });

  it('waits the configured share of the simulated time', async () => {
    const dir = await tempDir('sim-wait');
    const scriptPath = join(dir, 'train_gpt.py');
    await writeFile(scriptPath, 'x = 2\n# speedrun-sim: speedup=0.01\n');
    const spec: ExecSpec = {
      runId: 'sim',
      node: 1,
      workDir: dir,
      scriptPath,
      runner: 'python',
      nproc: 1,
      python: 'python3',
      env: {},
      readOnlyDirs: [],
      gpus: [],
      timeoutMs: 600_000,
    };
    const order: string[] = [];
    // 1 % of record 1 (~360 ms simulated) at scale 0.5 is ~180 ms; a marker timer of 1 ms must fire first.
    const run = new SimExecutor({ manifest: tiny, record: 1, timeScale: 0.5 }).run(spec).then((r) => {
      order.push('trained');
      return r;
    });
    const firstTick = new Promise<void>((resolve) => setTimeout(() => (order.push('1 ms'), resolve()), 1));
    const [result] = await Promise.all([run, firstTick]);
    expect(order).toEqual(['1 ms', 'trained']);
    expect(result.exitCode).toBe(0);
  });

  it('reads its settings: the time scale, and simulated GPUs without nvidia-smi', () => {
    expect(simTimeScale(undefined)).toBe(0);
    expect(simTimeScale('0.001')).toBe(0.001);
    expect(() => simTimeScale('-1')).toThrow(/≥ 0/);
    expect(simulatedGpus('0-63').map((g) => g.index)).toHaveLength(64);
    expect(() => simulatedGpus(undefined)).toThrow(/--gpus/);
  });
});

describe('the simulated model', () => {
  it('answers with its parent script, one new statement and a marker, after the configured latency', async () => {
    const client = new SimChatClient({ latencyMs: 0, seed: 'sim/a', crashRate: 0 });
    const parent = 'import torch\nlr = 3e-3\n# speedrun-sim: speedup=0.9\n_sim_variant = "old"\n';
    const answer = await client.complete([{ role: 'user', content: `The script:\n\n\`\`\`python\n${parent}\`\`\`\n` }], undefined, {
      node: 1,
      purpose: 'propose',
    });
    const script = /```python\n([\s\S]*?)```/.exec(answer.content)![1]!;
    expect(script.startsWith('import torch\nlr = 3e-3\n# speedrun-sim: speedup=')).toBe(true);
    expect(script.match(/speedrun-sim/g)).toHaveLength(1);
    expect(script).toMatch(/^_sim_variant = "sim\/a:1"$/m);
    const again = await client.complete([{ role: 'user', content: 'no script' }], undefined, { node: 2, purpose: 'propose' });
    expect(again.content).not.toEqual(answer.content);
  });

  it('gives up its wait when aborted', async () => {
    const controller = new AbortController();
    const call = new SimChatClient({ latencyMs: 600_000, seed: 'x' }).complete([], controller.signal);
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
  });
});
