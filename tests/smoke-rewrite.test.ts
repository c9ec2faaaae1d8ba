import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadTrack, resolveRecordScript } from '../src/core/catalog/catalog.js';
import { cacheLayout } from '../src/core/paths.js';
import { smokeRewrite } from '../src/core/smoke/smoke-rewrite.js';
import { UserError } from '../src/core/errors.js';

// Scripts written for this test in the shape of each upstream era's hyperparameters (not upstream code).
const LLMC_ERA = `class Args:
    batch_size = 32 # per device
    num_iterations = 24576# steps
    warmup_iters = 256
    val_loss_every = 128
`;
const ANNOTATED_ERA = `@dataclass
class Hyperparameters:
    num_iterations : int = 6200 # number of iterations to run
    warmup_iters : int = 0
    warmdown_iters : int = 1800 # linear warmdown
    val_loss_every : int = 125
`;
const COOLDOWN_ERA = `class Hyperparameters:
    num_iterations : int = 1480
    warmup_iters : int = 0
    cooldown_iters : int = 600
`;
const FRACTION_ERA = `class Hyperparameters:
    num_iterations = 1393 # number of iterations to run
    cooldown_frac = 0.4 # fraction of training spent cooling down
`;

function refusal(script: string, steps = 5): string {
  try {
    smokeRewrite(script, steps);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('smoke rewrite of record scripts', () => {
  it('shortens an llm.c-era script and its warmup, leaving other constants alone', () => {
    const { script, changes } = smokeRewrite(LLMC_ERA, 5);
    expect(changes).toEqual([
      { name: 'num_iterations', line: 3, from: 24576, to: 5 },
      { name: 'warmup_iters', line: 4, from: 256, to: 1 },
    ]);
    expect(script).toContain('    num_iterations = 5# steps\n');
    expect(script).toContain('val_loss_every = 128');
    expect(script).toContain('batch_size = 32 # per device');
  });

  it('keeps type annotations and comments, scales a warmdown and leaves a zero warmup at zero', () => {
    const { script, changes, diff } = smokeRewrite(ANNOTATED_ERA, 10);
    expect(script).toContain('num_iterations : int = 10 # number of iterations to run');
    expect(script).toContain('warmup_iters : int = 0\n');
    // 1800 of 6200 steps is 29%: 2 of 10.
    expect(script).toContain('warmdown_iters : int = 2 # linear warmdown');
    expect(changes.map((c) => c.name)).toEqual(['num_iterations', 'warmdown_iters']);
    expect(diff).toMatch(/^-\s+num_iterations : int = 6200/m);
    expect(diff).toMatch(/^\+\s+num_iterations : int = 10 /m);
  });

  it('scales a cooldown counted in steps, never beyond the new step count', () => {
    expect(smokeRewrite(COOLDOWN_ERA, 5).script).toContain('cooldown_iters : int = 2');
    expect(smokeRewrite(COOLDOWN_ERA, 1).script).toContain('cooldown_iters : int = 1');
  });

  it('leaves schedules given as fractions of training as they are', () => {
    const { script, changes } = smokeRewrite(FRACTION_ERA, 5);
    expect(changes).toHaveLength(1);
    expect(script).toContain('cooldown_frac = 0.4');
  });

  it('refuses scripts it cannot rewrite, saying why', () => {
    expect(refusal('print("no hyperparameters here")\n')).toMatch(/sets no integer num_iterations/);
    expect(refusal('num_iterations = 5100 - 100\n')).toMatch(/sets no integer num_iterations/);
    expect(refusal('num_iterations = 100\nnum_iterations = 200\n')).toMatch(/on 2 lines \(1, 2\)/);
    expect(refusal('num_iterations = 4\n')).toMatch(/already trains for 4 steps/);
    expect(refusal(LLMC_ERA, 0)).toMatch(/positive whole number/);
  });

  it('rewrites every bundled tiny-track record, changing only step counts', async () => {
    const manifest = await loadTrack('tiny');
    for (const record of manifest.records) {
      const original = await readFile(await resolveRecordScript(manifest, record.number, cacheLayout('/nonexistent')), 'utf8');
      const { script, changes } = smokeRewrite(original, 7);
      expect(changes[0], `record ${record.number}`).toMatchObject({ name: 'num_iterations', to: 7 });
      const changedLines = script.split('\n').filter((line, i) => line !== original.split('\n')[i]);
      expect(changedLines).toHaveLength(changes.length);
    }
  });

  it('turns off compile settings that only buy speed, in code but never in comments or strings', () => {
    // Written for this test in the shape of the 2024 records' compile settings (not upstream code).
    const script = `import torch._inductor.config as config
config.coordinate_descent_tuning = True # tunes each kernel
if hasattr(config, "coordinate_descent_tuning"):
    config.coordinate_descent_tuning = True
# torch._inductor.config.coordinate_descent_tuning = True # banned for new records
torch._inductor.config.max_autotune = True
model = torch.compile(model, mode="max-autotune-no-cudagraphs", dynamic=False)
fast = torch.compile(step, mode='reduce-overhead')
print("config.max_autotune = True")
num_iterations = 100
`;
    const { script: smoke, speedOff, changes } = smokeRewrite(script, 5);
    expect(speedOff).toEqual([
      { name: 'coordinate_descent_tuning', line: 2, from: 'True', to: 'False' },
      { name: 'coordinate_descent_tuning', line: 4, from: 'True', to: 'False' },
      { name: 'max_autotune', line: 6, from: 'True', to: 'False' },
      { name: 'compile mode', line: 7, from: 'max-autotune-no-cudagraphs', to: 'default' },
    ]);
    expect(changes.map((c) => c.name)).toEqual(['num_iterations']);
    expect(smoke).toContain('config.coordinate_descent_tuning = False # tunes each kernel\n');
    expect(smoke).toContain('    config.coordinate_descent_tuning = False\n');
    expect(smoke).toContain('# torch._inductor.config.coordinate_descent_tuning = True # banned');
    expect(smoke).toContain('torch.compile(model, mode="default", dynamic=False)');
    expect(smoke).toContain("mode='reduce-overhead'");
    expect(smoke).toContain('print("config.max_autotune = True")');
  });
});
