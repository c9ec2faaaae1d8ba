import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NODE_FILES } from '../store/layout.js';

/** The last lines of a node's stdout followed by its stderr tail: what a debug prompt or log analysis shows. */
export async function readLogTail(nodeDir: string, stderrTail: string, lines = 40): Promise<string> {
  let stdout = '';
  try {
    stdout = await readFile(join(nodeDir, NODE_FILES.stdout), 'utf8');
  } catch {
    // A node that never started has no log; the stderr tail (if any) still says why.
  }
  const tail = stdout.trimEnd().split('\n').slice(-lines).join('\n');
  return [tail, stderrTail.trimEnd()].filter(Boolean).join('\n--- stderr ---\n');
}
