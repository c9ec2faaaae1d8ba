import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The files under `dir` (at any depth) whose bytes contain `text`: where a secret leaked, if anywhere. */
export async function filesContaining(dir: string, text: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path)).includes(text)) found.push(path);
  }
  return found;
}
