import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { currentHarness, harnessAlive } from '../exec/process-identity.js';
import { LOCK_FILE } from './layout.js';

/**
 * One folder, one writer: a bench or run folder is written by one process at a time. The lock file names that
 * process by host, pid and start token (boot id + start time, so a reused pid is not mistaken for the owner); a
 * second writer is refused while the owner lives, and takes the lock over once it is gone (killed, other boot).
 * A folder inside a folder locked by another live process (a run of a running bench) is refused too; the owner's
 * own nested locks (the bench's runs, `bench --verify`) are fine.
 */

const LockRecord = z.object({
  host: z.string(),
  pid: z.number().int(),
  start: z.string(),
  /** What holds it: bench, run, verify. */
  purpose: z.string(),
  since: z.string(),
});
type LockRecord = z.infer<typeof LockRecord>;

export interface FolderLock {
  readonly dir: string;
  /** Removes the lock file once this process has released it as often as it took it. */
  release(): Promise<void>;
}

/** Locks this process holds, by folder, with how often each was taken (a bench's run, then its verify). */
const held = new Map<string, { count: number; path: string }>();
let exitHookInstalled = false;

/** Takes the folder's lock (creating the folder), or throws a UserError naming the live owner. */
export async function lockFolder(folder: string, purpose: string): Promise<FolderLock> {
  const dir = resolve(folder);
  const mine = held.get(dir);
  if (mine) {
    mine.count++;
    return handle(dir);
  }
  await refuseLiveAncestor(dir);
  await mkdir(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const record: LockRecord = { ...currentHarness(), purpose, since: new Date().toISOString() };
  // Three tries: a takeover that loses a race with another taker reads the winner's lock on the next one.
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await createLock(path, record)) {
      held.set(dir, { count: 1, path });
      installExitHook();
      return handle(dir);
    }
    const owner = await readLock(path);
    if (owner && ownerAlive(owner)) throw refusal(dir, owner);
    await takeAway(path, owner);
  }
  throw new UserError(`could not lock ${dir}: other processes keep taking it over`, 'make sure only one speedrun writes this folder, then try again');
}

/** Runs `work` holding the folder's lock, released however it ends. */
export async function withFolderLock<T>(folder: string, purpose: string, work: () => Promise<T>): Promise<T> {
  const lock = await lockFolder(folder, purpose);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

function handle(dir: string): FolderLock {
  let released = false;
  return {
    dir,
    async release() {
      if (released) return;
      released = true;
      const entry = held.get(dir);
      if (!entry || --entry.count > 0) return;
      held.delete(dir);
      // Only our own record is removed: a lock someone took over (we were thought dead) stays theirs.
      const owner = await readLock(entry.path);
      if (owner && isSelf(owner)) await rm(entry.path, { force: true });
    },
  };
}

/**
 * The record is written whole to a private file and linked into place: link fails when the lock exists, so
 * exactly one of two racing writers wins, and a reader never sees a half-written lock.
 */
async function createLock(path: string, record: LockRecord): Promise<boolean> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
  try {
    await link(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The lock's owner; null when the file is gone or unreadable (never written by us whole: treated as dead). */
async function readLock(path: string): Promise<LockRecord | null> {
  try {
    const parsed = LockRecord.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Moves a dead owner's lock aside. Between our read and the move another process may have taken it over: then
 * the moved file is not the dead one, and it is put back (link: only where no newer lock stands).
 */
async function takeAway(path: string, dead: LockRecord | null): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readLock(aside);
  if (dead !== null && moved !== null && !sameOwner(moved, dead)) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
}

async function refuseLiveAncestor(dir: string): Promise<void> {
  for (let up = dirname(dir); up !== dirname(up); up = dirname(up)) {
    const owner = await readLock(join(up, LOCK_FILE));
    if (owner && !isSelf(owner) && ownerAlive(owner)) throw refusal(up, owner, dir);
  }
}

/** A lock of another host cannot be checked from here: it counts as alive until someone removes it. */
function ownerAlive(owner: LockRecord): boolean {
  if (isSelf(owner)) return true;
  if (owner.host !== currentHarness().host) return true;
  return harnessAlive(owner);
}

function isSelf(owner: LockRecord): boolean {
  return sameOwner(owner, { ...currentHarness(), purpose: '', since: '' });
}

function sameOwner(a: LockRecord, b: LockRecord): boolean {
  return a.host === b.host && a.pid === b.pid && a.start === b.start;
}

function refusal(lockedDir: string, owner: LockRecord, target?: string): UserError {
  const inside = target ? ` (${target} is inside it)` : '';
  const where = owner.host === currentHarness().host ? `process ${owner.pid}` : `process ${owner.pid} on ${owner.host}`;
  const fix =
    owner.host === currentHarness().host
      ? `wait until it ends, or stop it (kill ${owner.pid}) and run this again: a dead owner's lock is taken over`
      : `if that process is gone, delete ${join(lockedDir, LOCK_FILE)} and run this again`;
  return new UserError(`${lockedDir}${inside} is being written by ${where} (speedrun ${owner.purpose}, since ${owner.since}); one folder has one writer`, fix);
}

/** A process that exits without releasing (process.exit on a second Ctrl-C) still removes its lock files. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const { path } of held.values()) rmSync(path, { force: true });
    held.clear();
  });
}
