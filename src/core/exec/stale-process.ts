import { LAUNCH_ID_VAR, readNodePidFile, removeNodePidFile, type NodeProcessRecord } from './node-pid-file.js';
import { commandLine, isRunning, runningProcesses, signalReaches, startEnvironment, type ProcEntry } from './proc-table.js';

/** How long to wait for killed processes to disappear (one stuck in the kernel, e.g. in a GPU driver call, may take a while). */
const GONE_TIMEOUT_MS = 10_000;
const POLL_MS = 50;

/**
 * On resume, stops what a previous harness left running in a node's folder: the harness may have died
 * (kill -9, OOM killer) where the parent-death signal was not available, and the ghosts would compete with
 * the resumed bench for the CPUs and GPUs. Kills only processes that are provably this launch's, waits
 * (bounded) until they are gone, and removes the pid file either way.
 * Returns true when something was killed.
 */
export async function killStaleNodeProcess(workDir: string): Promise<boolean> {
  const record = await readNodePidFile(workDir);
  const killed = record !== undefined && (process.platform === 'linux' ? await killOurs(record) : await killTrustedGroup(record));
  await removeNodePidFile(workDir);
  return killed;
}

/**
 * Linux: a process is ours when its start environment carries the launch's id (this finds torchrun's
 * workers, which torch 2.x moves into sessions of their own, and children started with multiprocessing's
 * spawn), or when it is in the recorded group and runs the node's script (for one whose environment is
 * unreadable). A pid or group id reused by someone else matches neither.
 */
async function killOurs(record: NodeProcessRecord): Promise<boolean> {
  const ours = await ourProcesses(record);
  if (ours.length === 0) return false;
  for (const p of ours) sendKill(p.pid);
  // The group can only still carry its id while one of its members is alive, so it is ours too: this
  // also reaches members that started with an environment of their own.
  if (ours.some((p) => p.pgid === record.pgid)) sendKill(-record.pgid);
  await waitUntil(async () => {
    const gone = await Promise.all(ours.map(async (p) => !(await isRunning(p.pid))));
    const groupLeft = (await runningProcesses()).some((p) => p.pgid === record.pgid);
    return gone.every(Boolean) && !groupLeft;
  });
  return true;
}

async function ourProcesses(record: NodeProcessRecord): Promise<ProcEntry[]> {
  const marker = `${LAUNCH_ID_VAR}=${record.launchId}`;
  const candidates = (await runningProcesses()).filter((p) => p.pid !== process.pid);
  const verdicts = await Promise.all(
    candidates.map(async (p) => {
      if ((await startEnvironment(p.pid)).includes(marker)) return true;
      return p.pgid === record.pgid && (await commandLine(p.pid)).includes(record.scriptPath);
    }),
  );
  return candidates.filter((_, i) => verdicts[i]);
}

/**
 * Elsewhere there is no /proc to prove whose a process is: the recorded group is trusted only once the
 * harness that wrote the record is dead (while it lives, the node may be its, or the pid reused).
 */
async function killTrustedGroup(record: NodeProcessRecord): Promise<boolean> {
  if (signalReaches(record.harnessPid) || !signalReaches(-record.pgid)) return false;
  sendKill(-record.pgid);
  await waitUntil(async () => !signalReaches(-record.pgid));
  return true;
}

function sendKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone, or not ours to kill.
  }
}

async function waitUntil(done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + GONE_TIMEOUT_MS;
  while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, POLL_MS));
}
