import { describe, expect, it } from 'vitest';
import { gpuCountsOfScript, peakMemoryMiB, recordMachine } from '../src/core/catalog/record-machine.js';
import { imageForLoggedTorch } from '../src/core/exec/docker/torch-eras.js';

// Lines written for this test in the shape of the record scripts' and logs' own (not upstream text).
const EIGHT_ONLY = 'world_size = int(os.environ["WORLD_SIZE"])\nassert world_size == 8 # designed for 8 GPUs\n';
const ACCUMULATES = 'assert 8 % world_size == 0, "world_size must divide 8"\ngrad_accum_steps = 8 // world_size\n';

describe('what a recovered record needs of a machine', () => {
  it('reads the GPU counts from the script, and takes 8 where it cannot tell', () => {
    expect(gpuCountsOfScript(EIGHT_ONLY)).toEqual([8]);
    expect(gpuCountsOfScript(ACCUMULATES)).toEqual([1, 2, 4, 8]);
    expect(gpuCountsOfScript('print("no checks")\n')).toEqual([8]);
    // A check that is commented out is no check.
    expect(gpuCountsOfScript('# assert 8 % world_size == 0\n')).toEqual([8]);
  });

  it("takes the log's last peak memory line, reserved where it says", () => {
    expect(peakMemoryMiB('step:10/10 val_loss:3.2\npeak memory allocated: 31361 MiB reserved: 36734 MiB\n')).toBe(36734);
    expect(peakMemoryMiB('peak memory consumption: 34239 MiB\n')).toBe(34239);
    expect(peakMemoryMiB('    print(f"peak memory consumption: {mem} MiB")\n')).toBeUndefined();
  });

  it('names the era image and says why it is approximate', () => {
    const eraImage = (torch: string) => {
      const era = imageForLoggedTorch(torch);
      return era && { image: era.image.name, approximate: era.approximate };
    };
    expect(recordMachine(ACCUMULATES, 'Running PyTorch 2.5.1+cu124\n', '2.5.1+cu124', eraImage)).toEqual({
      image: 'cuda-torch2.5.1',
      gpu_counts: [1, 2, 4, 8],
    });
    const nightly = recordMachine(EIGHT_ONLY, 'peak memory allocated: 1 MiB reserved: 2048 MiB\n', '2.9.0.dev20250713+cu126', eraImage);
    expect(nightly).toMatchObject({ image: 'cuda-torch2.9.0', gpu_counts: [8], peak_memory_mib: 2048 });
    expect(nightly.approximate_env).toMatch(/^the log ran nightly 2\.9\.0\.dev20250713\+cu126/);
    expect(recordMachine(EIGHT_ONLY, '', null, eraImage)).toEqual({ gpu_counts: [8] });
  });
});
