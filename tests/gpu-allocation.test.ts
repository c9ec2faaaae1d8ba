import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExternalError, UserError } from '../src/core/errors.js';
import { detectGpus, parseGpuList, planGpuSets, slotPoolFor, type GpuInfo } from '../src/core/exec/gpus.js';
import { LocalExecutor } from '../src/core/exec/local.js';
import { fakeNvidiaSmi } from './helpers/fake-nvidia-smi.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

function inventoryOf(count: number): GpuInfo[] {
  return Array.from({ length: count }, (_, index) => ({ index, uuid: `GPU-${index}`, name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559 }));
}

/** A seeded generator, so a failing interleaving can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GPU inventory from nvidia-smi', () => {
  it('parses padded rows, [N/A] and missing fields, and skips lines that are not GPUs', async () => {
    const smi = await fakeNvidiaSmi(
      [
        '0, GPU-7f3a, NVIDIA H100 80GB HBM3, 81559',
        '  1 ,GPU-8b21 ,  NVIDIA H100 80GB HBM3  ,  81559  ',
        '2, [N/A], NVIDIA A100-SXM4-40GB, [N/A]',
        '3, GPU-c0de',
        '',
        'WARNING: infoROM is corrupted at gpu 0000:04:00.0',
      ].join('\n'),
    );
    expect(await detectGpus(undefined, { nvidiaSmi: smi })).toEqual([
      { index: 0, uuid: 'GPU-7f3a', name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559 },
      { index: 1, uuid: 'GPU-8b21', name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559 },
      { index: 2, uuid: null, name: 'NVIDIA A100-SXM4-40GB', memoryMiB: null },
      { index: 3, uuid: 'GPU-c0de', name: null, memoryMiB: null },
    ]);
  });

  it('finds no GPUs when nvidia-smi is not installed, or when the driver has no devices', async () => {
    const dir = await tempDir('no-nvidia-smi');
    expect(await detectGpus(undefined, { nvidiaSmi: join(dir, 'nvidia-smi') })).toEqual([]);
    const none = await fakeNvidiaSmi('', 'echo "No devices were found"; exit 6');
    expect(await detectGpus(undefined, { nvidiaSmi: none })).toEqual([]);
  });

  it('reports a failing nvidia-smi as an external failure with a fix', async () => {
    const broken = await fakeNvidiaSmi('', 'echo "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver." ; exit 9');
    const failure = detectGpus(undefined, { nvidiaSmi: broken });
    await expect(failure).rejects.toBeInstanceOf(ExternalError);
    await expect(failure).rejects.toThrow(/exit 9.*couldn't communicate with the NVIDIA driver/);
    await expect(failure).rejects.toMatchObject({ fix: expect.stringContaining('driver') });
  });

  it('can be given another runner', async () => {
    const calls: string[][] = [];
    const gpus = await detectGpus(async (file, args) => {
      calls.push([file, ...args]);
      return { exitCode: 0, stdout: '0, GPU-a, Tesla T4, 15360\n', stderr: '', notFound: false, timedOut: false };
    });
    expect(calls[0]?.[0]).toBe('nvidia-smi');
    expect(gpus).toEqual([{ index: 0, uuid: 'GPU-a', name: 'Tesla T4', memoryMiB: 15360 }]);
  });
});

describe('--gpus lists', () => {
  it('expands ranges and keeps the order written', () => {
    expect(parseGpuList('0-3,6')).toEqual([0, 1, 2, 3, 6]);
    expect(parseGpuList(' 4-5 , 0 ')).toEqual([4, 5, 0]);
    expect(parseGpuList('all', inventoryOf(3))).toEqual([0, 1, 2]);
  });

  it.each(['', 'a', '1,', '3-1', '-1', '1-', '0,0', '0-2,1', '1.5'])('rejects %j as bad input', (spec) => {
    expect(() => parseGpuList(spec)).toThrow(UserError);
  });

  it('rejects ids the machine does not have, naming what it has', () => {
    expect(() => parseGpuList('0-3,9', inventoryOf(8))).toThrow(/GPU 9 not found \(this machine has 0-7\)/);
    expect(() => parseGpuList('0', [])).toThrow(UserError);
  });
});

describe('GPU sets', () => {
  it('splits --gpus 0-7 --gpus-per-run 2 into 4 disjoint sets', () => {
    const { sets } = planGpuSets(parseGpuList('0-7'), 2);
    expect(sets).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
    ]);
    expect(new Set(sets.flat()).size).toBe(8);
  });

  it('leaves GPUs that make no whole set unused, and says so', () => {
    const plan = planGpuSets([0, 1, 2, 3, 4, 5, 6], 3);
    expect(plan.sets).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(plan.unused).toEqual([6]);
    expect(plan.warning).toMatch(/GPU 6 left unused/);
    expect(planGpuSets([0, 1], 1).warning).toBeNull();
  });

  it('refuses more GPUs per run than there are', () => {
    expect(() => planGpuSets([0, 1, 2], 4)).toThrow(/--gpus-per-run 4 needs 4 GPUs, but only 3 are available/);
    expect(() => planGpuSets([0, 1], 0)).toThrow(UserError);
  });
});

describe('slot pools', () => {
  it('has CPU slots when no GPUs are asked for, even on a GPU machine', () => {
    const plan = slotPoolFor({ cpuSlots: 3, inventory: inventoryOf(8) });
    expect(plan.pool.size).toBe(3);
    expect(plan.description).toBe('3 CPU slots');
    expect(slotPoolFor({ inventory: [] }).pool.size).toBe(1);
  });

  it('has one slot per GPU set when GPUs are asked for', () => {
    const plan = slotPoolFor({ gpus: '0-7', gpusPerRun: 2, inventory: inventoryOf(8) });
    expect(plan.pool.size).toBe(4);
    expect(plan.description).toBe('4 slots of 2 GPUs: [0,1] [2,3] [4,5] [6,7]');
    expect(plan.warnings).toEqual([]);
    // --gpus-per-run alone takes every GPU of the machine.
    expect(slotPoolFor({ gpusPerRun: 4, inventory: inventoryOf(8) }).pool.size).toBe(2);
  });

  it('refuses GPUs on a machine without any', () => {
    expect(() => slotPoolFor({ gpus: '0', inventory: [] })).toThrow(/none were found/);
  });

  it('never lets two concurrent nodes hold the same GPU, and gets every GPU back', async () => {
    const { pool } = slotPoolFor({ gpus: '0-7', gpusPerRun: 2, inventory: inventoryOf(8) });
    const random = seededRandom(42);
    const inUse = new Set<number>();
    const clashes: string[] = [];
    let concurrent = 0;
    let mostConcurrent = 0;
    await Promise.all(
      Array.from({ length: 60 }, async (_, task) => {
        await sleep(random() * 5);
        await pool.with(async (slot) => {
          for (const gpu of slot.gpus) {
            if (inUse.has(gpu)) clashes.push(`task ${task}: GPU ${gpu} already held`);
            inUse.add(gpu);
          }
          mostConcurrent = Math.max(mostConcurrent, ++concurrent);
          await sleep(1 + random() * 8);
          concurrent--;
          for (const gpu of slot.gpus) inUse.delete(gpu);
        });
      }),
    );
    expect(clashes).toEqual([]);
    expect(mostConcurrent).toBe(4);
    expect(inUse.size).toBe(0);
    // Every slot is free again: all four can be taken at once without waiting.
    const slots = await Promise.all(Array.from({ length: pool.size }, () => pool.acquire(AbortSignal.timeout(200))));
    expect(slots.flatMap((slot) => slot.gpus).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('the local executor on a GPU slot', () => {
  const PYTHON = 'python3';
  const SCRIPT = [
    'import os, time',
    'start = time.time()',
    'time.sleep(0.4)',
    'print("visible", os.environ.get("CUDA_VISIBLE_DEVICES", "<unset>"), os.environ.get("CUDA_DEVICE_ORDER", "<unset>"), start, time.time())',
  ].join('\n');

  it('confines each concurrent run to its own GPUs', async () => {
    const { pool } = slotPoolFor({ gpus: '0-7', gpusPerRun: 2, inventory: inventoryOf(8) });
    const executor = new LocalExecutor();
    const root = await tempDir('gpu-slots');
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, node) =>
        pool.with(async (slot) => {
          const workDir = join(root, `node-${node}`);
          const lines: string[] = [];
          const result = await executor.run({
            runId: 'gpu-test',
            node,
            workDir,
            scriptPath: await scriptAt(root, node),
            runner: 'python',
            nproc: 1,
            python: PYTHON,
            env: { CUDA_VISIBLE_DEVICES: 'spec-env-must-not-win' },
            readOnlyDirs: [],
            gpus: [...slot.gpus],
            timeoutMs: 30_000,
            onLine: (_stream, line) => lines.push(line),
          });
          expect(result.exitCode).toBe(0);
          const [, visible = '', order = '', start = '', end = ''] = lines.find((line) => line.startsWith('visible '))?.split(' ') ?? [];
          expect(visible).toBe(slot.gpus.join(','));
          expect(order).toBe('PCI_BUS_ID');
          return { node, gpus: visible.split(',').map(Number), start: Number(start), end: Number(end) };
        }),
      ),
    );
    let overlapping = 0;
    for (const a of runs) {
      for (const b of runs) {
        if (a.node >= b.node || a.end <= b.start || b.end <= a.start) continue;
        overlapping++;
        expect(
          a.gpus.filter((gpu) => b.gpus.includes(gpu)),
          `nodes ${a.node} and ${b.node} ran at the same time`,
        ).toEqual([]);
      }
    }
    // Four slots and eight runs of 0.4 s: runs did overlap, so the check above was not vacuous.
    expect(overlapping).toBeGreaterThanOrEqual(4);
  });

  it('leaves CUDA_VISIBLE_DEVICES as inherited on a CPU slot', async () => {
    const root = await tempDir('cpu-slot');
    const lines: string[] = [];
    const result = await new LocalExecutor().run({
      runId: 'cpu-test',
      node: 1,
      workDir: join(root, 'node'),
      scriptPath: await scriptAt(root, 1),
      runner: 'python',
      nproc: 1,
      python: PYTHON,
      env: {},
      readOnlyDirs: [],
      gpus: [],
      timeoutMs: 30_000,
      onLine: (_stream, line) => lines.push(line),
    });
    expect(result.exitCode).toBe(0);
    const [, visible, order] = lines.find((line) => line.startsWith('visible '))?.split(' ') ?? [];
    expect(visible).toBe(process.env.CUDA_VISIBLE_DEVICES || '<unset>');
    expect(order).toBe(process.env.CUDA_DEVICE_ORDER || '<unset>');
  });

  async function scriptAt(root: string, node: number): Promise<string> {
    const path = join(root, `train-${node}.py`);
    await writeFile(path, SCRIPT);
    return path;
  }
});
