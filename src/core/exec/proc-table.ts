import { readdir, readFile } from 'node:fs/promises';

/** One process as Linux's /proc shows it. */
export interface ProcEntry {
  pid: number;
  pgid: number;
  /** Exited but not yet reaped: it holds no resources and cannot be killed any further. */
  zombie: boolean;
}

/** Reads /proc/<pid>/stat; undefined when the process is gone (or this is not Linux). */
export async function procEntry(pid: number): Promise<ProcEntry | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name in parentheses may hold spaces and ')', so fields are counted from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [state, , pgrp] = fields;
  if (state === undefined || pgrp === undefined) return undefined;
  return { pid, pgid: Number(pgrp), zombie: state === 'Z' || state === 'X' };
}

/** Every process still running (zombies left out). */
export async function runningProcesses(): Promise<ProcEntry[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const entries = await Promise.all(pids.map(procEntry));
  return entries.filter((e): e is ProcEntry => e !== undefined && !e.zombie);
}

/** True while the process exists and is not a zombie. */
export async function isRunning(pid: number): Promise<boolean> {
  const entry = await procEntry(pid);
  return entry !== undefined && !entry.zombie;
}

/** The process's argv; empty when unreadable or gone. */
export async function commandLine(pid: number): Promise<string[]> {
  return nulSeparated(`/proc/${pid}/cmdline`);
}

/**
 * The environment the process was started with; empty when unreadable (another user's process, or one
 * that made itself non-dumpable) or gone.
 */
export async function startEnvironment(pid: number): Promise<string[]> {
  return nulSeparated(`/proc/${pid}/environ`);
}

async function nulSeparated(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\0').filter((s) => s !== '');
  } catch {
    return [];
  }
}

/** Signal 0 tests for existence: true when the process (or group, for a negative id) is there. */
export function signalReaches(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
