/** Time between SIGTERM and SIGKILL when stopping a process tree. */
export const KILL_GRACE_MS = 3_000;

/**
 * SIGTERM a detached process's whole group (what it started too: dataloader workers, a coding CLI's tools), then
 * SIGKILL whatever is left after a grace period.
 */
export function killProcessGroup(pid: number | undefined, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): void {
  if (pid === undefined) return;
  const send = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // The group is already gone.
    }
  };
  send(signal);
  if (signal === 'SIGTERM') setTimeout(() => send('SIGKILL'), KILL_GRACE_MS).unref();
}
