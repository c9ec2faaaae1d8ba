import { describe, expect, it } from 'vitest';
import { imageTag } from '../src/core/exec/docker/images.js';
import { imageForLoggedTorch } from '../src/core/exec/docker/torch-eras.js';

/** The image tag and whether it is approximate, for a version as a modded-nanogpt log prints it. */
function era(logged: string): [string, string | null] | null {
  const found = imageForLoggedTorch(logged);
  return found ? [imageTag(found.image), found.approximate] : null;
}

describe('container image by the torch a log printed', () => {
  it('runs a release on its own image, exactly', () => {
    expect(era('2.4.1+cu121')).toEqual(['speedrun/cuda-torch2.4.1:1', null]);
    expect(era('2.5.1+cu124')).toEqual(['speedrun/cuda-torch2.5.1:1', null]);
    expect(era('2.10.0+cu128')).toEqual(['speedrun/cuda-torch2.10.0:2', null]);
    expect(era('2.11.0+cu130')).toEqual(['speedrun/cuda-torch2.11.0:1', null]);
  });

  it('runs a nightly on the release it led to, and says so', () => {
    const [tag, why] = era('2.9.0.dev20250713+cu126')!;
    expect(tag).toBe('speedrun/cuda-torch2.9.0:1');
    expect(why).toMatch(/nightly 2\.9\.0\.dev20250713\+cu126, which the wheel index no longer has; 2\.9\.0 is the release/);
    expect(why).toMatch(/CUDA 12\.8 where the log's build was CUDA 12\.6/);
    expect(era('2.7.0.dev20250110+cu126')![0]).toBe('speedrun/cuda-torch2.7.1:1');
    expect(era('2.7.0a0+79aa17489c.nv25.04')).toEqual(['speedrun/cuda-torch2.7.1:1', expect.stringMatching(/build 2\.7\.0a0\+79aa17489c\.nv25\.04/)]);
  });

  it('marks a release whose CUDA build differs, and refuses a version no image is close to', () => {
    expect(era('2.10.0+cu126')).toEqual(['speedrun/cuda-torch2.10.0:2', "CUDA 12.8 where the log's build was CUDA 12.6"]);
    expect(era('2.3.0+cu121')).toBeNull();
    expect(era('not a version')).toBeNull();
  });
});

describe('hub kernel builds for a track', () => {
  it("asks for the builds of the torch versions the records' images install", async () => {
    const { loadTrack } = await import('../src/core/catalog/catalog.js');
    const { kernelVariantPrefixes } = await import('../src/core/data/record-kernels.js');
    const modern = await loadTrack('nanogpt-modern');
    // Records 40-45 ran 2.10 nightlies (image 2.10.0); 27-37 ran 2.9 nightlies (image 2.9.0).
    expect(kernelVariantPrefixes(modern, [40, 41, 45])).toEqual(['torch210-']);
    expect(kernelVariantPrefixes(modern, [30, 40, 88])).toEqual(['torch210-', 'torch211-', 'torch29-']);
    expect(kernelVariantPrefixes(await loadTrack('tiny'), [1, 2])).toEqual([]);
  });
});
