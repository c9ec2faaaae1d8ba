import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../fs-atomic.js';

/** The environment variable that marks every process of one launch, torchrun's workers included. */
export const LAUNCH_ID_VAR = 'SPEEDRUN_LAUNCH_ID';

const nodeProcessRecord = z.object({
  /** The process the harness started (the launcher, then the script or torchrun it became). */
  pid: z.number().int().positive(),
  /** Its process group: the harness starts it detached, so the group is its own. */
  pgid: z.number().int().positive(),
  /** The harness that started it. */
  harnessPid: z.number().int().positive(),
  startedAt: z.string(),
  command: z.array(z.string()),
  scriptPath: z.string(),
  /** Carried in the environment of every process of this launch (LAUNCH_ID_VAR). */
  launchId: z.string().min(1),
});

/**
 * What a node's `pid` file says about the training process running in it. The file exists from the start
 * of the process to its end; one found on resume means the harness died while the node was training.
 */
export type NodeProcessRecord = z.infer<typeof nodeProcessRecord>;

export function nodePidFilePath(workDir: string): string {
  return join(workDir, 'pid');
}

export async function writeNodePidFile(workDir: string, record: NodeProcessRecord): Promise<void> {
  await writeJsonAtomic(nodePidFilePath(workDir), record);
}

/** The record, or undefined when there is no file or it cannot be understood. */
export async function readNodePidFile(workDir: string): Promise<NodeProcessRecord | undefined> {
  let text: string;
  try {
    text = await readFile(nodePidFilePath(workDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = nodeProcessRecord.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function removeNodePidFile(workDir: string): Promise<void> {
  await rm(nodePidFilePath(workDir), { force: true });
}
