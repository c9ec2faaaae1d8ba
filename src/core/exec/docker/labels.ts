import type { HarnessIdentity } from '../process-identity.js';

/** Labels on every container the docker executor starts; cleanup finds containers by them. */
export const LABEL = {
  run: 'speedrun.run',
  node: 'speedrun.node',
  harnessPid: 'speedrun.harness-pid',
  harnessStart: 'speedrun.harness-start',
  harnessHost: 'speedrun.harness-host',
  /** On an exec agent's container (the others train): what it runs. */
  role: 'speedrun.role',
} as const;

export function containerLabels(runId: string, node: number, harness: HarnessIdentity): Record<string, string> {
  return {
    [LABEL.run]: runId,
    [LABEL.node]: String(node),
    [LABEL.harnessPid]: String(harness.pid),
    [LABEL.harnessStart]: harness.start,
    [LABEL.harnessHost]: harness.host,
  };
}

/** The harness named by a container's labels; undefined when they are missing or malformed. */
export function labelledHarness(labels: Record<string, string> | undefined): HarnessIdentity | undefined {
  const pid = Number(labels?.[LABEL.harnessPid]);
  const start = labels?.[LABEL.harnessStart];
  const host = labels?.[LABEL.harnessHost];
  if (!Number.isInteger(pid) || pid <= 0 || !start || !host) return undefined;
  return { pid, start, host };
}
