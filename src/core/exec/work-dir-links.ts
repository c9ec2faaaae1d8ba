import { lstat, readlink, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';

/** A symbolic link an executor makes in a node's working folder: `name` → `target` (a host path). */
export interface WorkDirLink {
  name: string;
  target: string;
}

/**
 * Makes the links in `workDir`, each pointing where the training process sees `target` (`inside` maps a host path to
 * the sandbox's view; identity where the process runs on the host). Why: record scripts of 2024 read their data at
 * `data/fineweb10B/...` relative to the folder they run in, whatever the environment says. A name the folder
 * already holds as something else (an agent's own file) is left alone: the script then reads what is there.
 */
export async function makeWorkDirLinks(workDir: string, links: readonly WorkDirLink[] | undefined, inside: (path: string) => string = (p) => p): Promise<void> {
  for (const link of links ?? []) {
    const path = join(workDir, link.name);
    const target = inside(link.target);
    const existing = await lstat(path).catch(() => null);
    if (existing === null) await symlink(target, path);
    else if (existing.isSymbolicLink() && (await readlink(path)) !== target) {
      // A link from an earlier attempt under another executor: point it where this process sees the data.
      await rm(path);
      await symlink(target, path);
    }
  }
}
