import type Docker from 'dockerode';
import { currentHarness, harnessAlive } from '../process-identity.js';
import { LABEL, labelledHarness } from './labels.js';

export interface OrphanCleanupOptions {
  /** Remove every container of these runs, whoever started them and whether or not that harness lives (Ctrl-C path). */
  runIds?: string[];
}

/**
 * Removes the executor's containers that nobody will wait for: those whose harness process is gone (killed, crashed,
 * machine rebooted), judged by pid *and* process start time, so a pid reused by an unrelated process protects no orphan.
 * Containers of a harness on another host (an engine shared between machines) are left alone: their owner cannot be
 * checked from here. With runIds, all containers of those runs go too. Returns the ids removed.
 */
export async function removeOrphanContainers(docker: Docker, opts: OrphanCleanupOptions = {}): Promise<string[]> {
  const runIds = new Set(opts.runIds ?? []);
  const self = currentHarness();
  const containers = await docker.listContainers({ all: true, filters: { label: [LABEL.run] } });
  const doomed = containers.filter((info) => {
    const run = info.Labels[LABEL.run];
    if (run !== undefined && runIds.has(run)) return true;
    const owner = labelledHarness(info.Labels);
    if (owner === undefined || owner.host !== self.host) return false;
    return !harnessAlive(owner);
  });
  return removeAll(
    docker,
    doomed.map((info) => info.Id),
  );
}

/** Force-removes (kills first if running); a container that is already gone counts as removed. */
export async function removeContainer(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).remove({ force: true, v: true });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    // 404: already gone; 409: removal already in progress (another cleanup, or the executor itself).
    if (status !== 404 && status !== 409) throw error;
  }
}

async function removeAll(docker: Docker, ids: string[]): Promise<string[]> {
  await Promise.all(ids.map((id) => removeContainer(docker, id)));
  return ids;
}
