import { chmod, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPythonWithTorch, torchVersionOf } from '../src/core/exec/python.js';
import { UserError } from '../src/core/errors.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

/** A stand-in interpreter: a shell script that behaves like `python -c "import torch; ..."` would. */
async function fakePython(body: string): Promise<string> {
  const dir = await tempDir('fake-python');
  const path = join(dir, 'python');
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('finding a Python with torch', () => {
  it('uses a named interpreter that imports torch and reports its version', async () => {
    const python = await fakePython('echo "2.7.1+cu126"');
    expect(await findPythonWithTorch(python)).toEqual({ python, torchVersion: '2.7.1+cu126' });
  });

  it('refuses a named interpreter without torch instead of silently picking another', async () => {
    const python = await fakePython('echo "ModuleNotFoundError: No module named torch" >&2; exit 1');
    await expect(findPythonWithTorch(python)).rejects.toThrow(UserError);
    await expect(findPythonWithTorch(python)).rejects.toThrow(/cannot import torch/);
  });

  it('treats an interpreter that does not exist as having no torch', async () => {
    expect(await torchVersionOf(join(tmpdir(), 'no-such-python-here'))).toBeNull();
  });
});
