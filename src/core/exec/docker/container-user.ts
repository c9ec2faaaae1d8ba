import { chown, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';

/** The uid:gid a container runs as when the image names no numeric non-root user. */
const FALLBACK_USER = '1000:1000';

/**
 * The uid:gid a container of `image` runs as: never root. A harness that is not root runs containers under its own
 * uid, so the folders it mounts (the user's own) are writable without any chown; a root harness uses the image's
 * numeric non-root user, else 1000:1000.
 */
export async function containerUser(docker: Docker, image: string): Promise<string> {
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0) return `${uid}:${process.getgid?.() ?? uid}`;
  const info = await docker.getImage(image).inspect();
  const user = info.Config?.User ?? '';
  const numeric = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!numeric || numeric[1] === '0') return FALLBACK_USER;
  return `${numeric[1]}:${numeric[2] ?? numeric[1]}`;
}

/**
 * A root harness hands a folder to the container's user, which could not write to (or even enter) it otherwise;
 * `recursive` hands over what is already in it too (an agent's workspace, written by the harness before the start).
 */
export async function grantAccess(dir: string, user: string, opts: { recursive?: boolean } = {}): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const [uid, gid] = user.split(':').map(Number);
  if (uid === undefined || gid === undefined || Number.isNaN(uid) || Number.isNaN(gid)) return;
  await chown(dir, uid, gid);
  if (!opts.recursive) return;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await grantAccess(path, user, opts);
    else if (!entry.isSymbolicLink()) await chown(path, uid, gid);
  }
}
