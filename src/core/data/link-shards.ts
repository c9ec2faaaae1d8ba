import { link, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkShardFile } from './shards.js';

/**
 * The modern track reads the same FineWeb shards as the nanogpt track, in another folder layout. Shards already in
 * the nanogpt track's folder are hard-linked rather than downloaded again (~200 MB each); a link that fails (another
 * file system, no permission) is left to the download.
 */
export async function linkExistingShards(names: readonly string[], from: string, to: string): Promise<string[]> {
  await mkdir(to, { recursive: true });
  const linked: string[] = [];
  for (const name of names) {
    const dest = join(to, name);
    if (
      await stat(dest).then(
        () => true,
        () => false,
      )
    )
      continue;
    const source = join(from, name);
    const check = await checkShardFile(source).catch(() => null);
    if (!check?.ok) continue;
    try {
      await link(source, dest);
      linked.push(name);
    } catch {
      // The download fetches it instead.
    }
  }
  return linked;
}
