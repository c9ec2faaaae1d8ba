import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { signalReaches } from './proc-table.js';

/**
 * Who a process is: who started a container, who writes a results folder. Enough for a later harness to tell whether that process is still alive. A pid alone
 * is not enough, because pids are reused; the pid's start time (in clock ticks since boot, from /proc) together
 * with the boot's id names one process for ever. Off Linux there is no /proc and the start token is 'unknown':
 * then a live pid is trusted as the owner.
 */
export interface HarnessIdentity {
  host: string;
  pid: number;
  start: string;
}

export const UNKNOWN_START = 'unknown';

/** `<boot id>:<start time in ticks>` for a running process; undefined when it is gone or this is not Linux. */
export function processStartToken(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces and ')': count fields from the last ')'.
    // After it come field 3 (state) onwards; starttime is field 22, so index 19 here.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const startTicks = fields[19];
    if (state === undefined || state === 'Z' || state === 'X' || startTicks === undefined) return undefined;
    return `${bootId()}:${startTicks}`;
  } catch {
    return undefined;
  }
}

let cachedBootId: string | undefined;
function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = 'noboot';
    }
  }
  return cachedBootId;
}

let self: HarnessIdentity | undefined;
/** This process's identity (computed once). */
export function currentHarness(): HarnessIdentity {
  self ??= { host: hostname(), pid: process.pid, start: processStartToken(process.pid) ?? UNKNOWN_START };
  return self;
}

/**
 * The identity written into a container's owner labels: this process, or (tests that fake a dead harness) the
 * process `pid` on this host.
 */
export function harnessIdentity(pid?: number): HarnessIdentity {
  const self = currentHarness();
  return pid === undefined || pid === self.pid ? self : { host: self.host, pid, start: processStartToken(pid) ?? UNKNOWN_START };
}

/** Alive means: the pid runs, and it is the same process that wrote the label (start token equal). */
export function harnessAlive(owner: HarnessIdentity): boolean {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  if (owner.start === UNKNOWN_START || process.platform !== 'linux') return signalReaches(owner.pid);
  return processStartToken(owner.pid) === owner.start;
}
