import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalExecutor } from '../../src/core/exec/local.js';
import type { Executor } from '../../src/core/exec/types.js';
import { executeNode } from '../../src/core/train/execute-node.js';
import { tempDir } from './temp.js';

/**
 * A fake training script that prints six step lines 0.6 s apart (3 s of wall time between the first and last)
 * and reports `msPerStep` of train_time per step: 600 is honest, 5 under-reports by a factor of over 100.
 */
export function steppingScript(msPerStep: number): string {
  return [
    'import time',
    'for i in range(6):',
    '    if i: time.sleep(0.6)',
    `    print(f"step:{i * 10}/50 val_loss:{3.5 - 0.4 * i:.4f} train_time:{i * ${msPerStep}}ms step_avg:1.00ms", flush=True)`,
    '',
  ].join('\n');
}

/** Trains `script` as node 1 with `executor`, timed at val_loss 3.0 (first crossing). */
export async function execute(script: string, executor: Executor = new LocalExecutor()) {
  const dir = await tempDir('clock');
  const path = join(dir, 'train_gpt.py');
  await writeFile(path, script);
  return executeNode({
    runId: 'test',
    node: 1,
    parent: 0,
    operator: 'draft',
    scriptPath: path,
    scriptSha256: 'x',
    workDir: dir,
    executor,
    launch: { runner: 'python', nproc: 1, timeoutMs: 30_000, python: 'python3', env: {}, readOnlyDirs: [] },
    timing: { target: 3.0, rule: 'first-crossing' },
  });
}
