import { cp, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/paths.js';
import type { HintManifest } from '../../src/core/catalog/schema.js';
import { tempDir } from './temp.js';

/**
 * A copy of the built package (bin, dist, manifests, bundled files, prompts) whose tiny hint manifest lacks the
 * given (record, level) entries, so the real binary meets a task with a level the track does not ship. Returns
 * the copy's bin/speedrun.js.
 */
export async function packageWithoutTinyHints(drop: Array<{ record: number; level: number }>): Promise<string> {
  const root = await tempDir('package-copy');
  for (const part of ['bin', 'dist', 'records', 'hints', 'prompts', 'python', 'package.json']) {
    await cp(join(packageRoot, part), join(root, part), { recursive: true });
  }
  await symlink(join(packageRoot, 'node_modules'), join(root, 'node_modules'));
  const file = join(root, 'hints', 'tiny.json');
  const manifest = JSON.parse(await readFile(file, 'utf8')) as HintManifest;
  manifest.hints = manifest.hints.filter((h) => !drop.some((d) => d.record === h.record && d.level === h.level));
  await writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return join(root, 'bin', 'speedrun.js');
}
