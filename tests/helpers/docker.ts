import Docker from 'dockerode';
import { imageByName, imageTag } from '../../src/core/exec/docker/images.js';
import { LABEL } from '../../src/core/exec/docker/labels.js';

/** The image the docker tests run in. */
export const CPU_IMAGE = imageTag(imageByName('cpu')!);

let ready: Promise<Docker> | undefined;

/**
 * A client for a running engine with the CPU image present. The suite's global setup (tests/setup/services.ts) runs
 * scripts/ci/docker-setup.sh first; this checks its outcome. These tests exercise the sandbox for real: with no engine
 * they fail, they never skip.
 */
export function dockerForTests(): Promise<Docker> {
  ready ??= (async () => {
    const docker = new Docker();
    try {
      await docker.ping();
      await docker.getImage(CPU_IMAGE).inspect();
    } catch (error) {
      throw new Error(`the docker tests need a running engine with ${CPU_IMAGE} (run scripts/ci/docker-setup.sh): ${String(error)}`);
    }
    return docker;
  })();
  return ready;
}

/** Containers (running or not) that carry the run's label. */
export async function containersOfRun(docker: Docker, runId: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL.run}=${runId}`] } });
}

/** A run id no other test (or earlier test run) uses, so label filters see only this test's containers. */
let runCounter = 0;
export function uniqueRunId(prefix: string): string {
  return `test-${prefix}-${process.pid}-${Date.now().toString(36)}-${++runCounter}`;
}
