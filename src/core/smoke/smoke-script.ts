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
  const path = trainedScriptPath(nodeDir, smoke);
  if (smoke === null) return path;
  const rewrite = smokeRewrite(script, smoke);
  await writeFile(path, rewrite.script);
  await writeFile(join(nodeDir, 'smoke.diff'), rewrite.diff);
  return path;
}

/** Where the script a node trains lies, written or not (`run --dry-run` names it without writing it). */
export function trainedScriptPath(nodeDir: string, smoke: number | null): string {
  return join(nodeDir, smoke === null ? NODE_FILES.script : SMOKE_SCRIPT);
}
