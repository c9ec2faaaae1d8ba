import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { smokeRewrite } from './smoke-rewrite.js';
import { NODE_FILES } from '../store/layout.js';

/** The script a node trains in a smoke run, written beside the agent's own script (which stays as written). */
export const SMOKE_SCRIPT = 'train_gpt.smoke.py';

/**
 * The file a node trains: its own script, or under --smoke that script rewritten to a few steps, with the
 * rewrite kept as smoke.diff so the user sees exactly what ran. A script the rewrite does not understand
 * throws (a UserError saying why).
 */
export async function scriptToTrain(nodeDir: string, script: string, smoke: number | null): Promise<string> {
  if (smoke === null) return join(nodeDir, NODE_FILES.script);
  const rewrite = smokeRewrite(script, smoke);
  await writeFile(join(nodeDir, SMOKE_SCRIPT), rewrite.script);
  await writeFile(join(nodeDir, 'smoke.diff'), rewrite.diff);
  return join(nodeDir, SMOKE_SCRIPT);
}
