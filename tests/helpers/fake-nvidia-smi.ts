import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './temp.js';

/**
 * A stand-in nvidia-smi: prints `inventory` for exactly the query detectGpus makes (anything else is an error, so
 * a changed query shows up here), or runs `body` instead.
 */
export async function fakeNvidiaSmi(inventory: string, body?: string): Promise<string> {
  const dir = await tempDir('fake-nvidia-smi');
  const path = join(dir, 'nvidia-smi');
  const script =
    body ??
    [
      'if [ "$1" != "--query-gpu=index,uuid,name,memory.total" ] || [ "$2" != "--format=csv,noheader,nounits" ]; then',
      '  echo "unexpected arguments: $*" >&2; exit 2',
      'fi',
      `cat <<'INVENTORY'\n${inventory}\nINVENTORY`,
    ].join('\n');
  await writeFile(path, `#!/bin/sh\n${script}\n`);
  await chmod(path, 0o755);
  return path;
}
