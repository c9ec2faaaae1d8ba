/**
 * Git's on-disk formats, written in-process: loose objects (blob, tree, commit) and loose refs with their
 * reflogs. The run history writes one commit and one note per node; as git subprocesses that was about ten
 * process starts a node, the harness's largest cost at the paper's scale (README "Benchmarks"). The files are
 * the ones git itself writes, so `git log`, `git diff` and `git fsck` read them as usual.
 */
import { createHash, randomBytes } from 'node:crypto';
import { access, appendFile, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';

export type ObjectType = 'blob' | 'tree' | 'commit';

export interface Identity {
  name: string;
  email: string;
}

/** Writes an object unless it is there already; returns its id (sha1 hex). */
export async function writeObject(gitDir: string, type: ObjectType, content: Buffer): Promise<string> {
  const data = Buffer.concat([Buffer.from(`${type} ${content.length}\0`), content]);
  const id = createHash('sha1').update(data).digest('hex');
  const path = objectPath(gitDir, id);
  if (await exists(path)) return id;
  await mkdir(dirname(path), { recursive: true });
  // Objects are immutable and named by content: a temp file renamed into place is never seen half-written.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, deflateSync(data));
  await rename(tmp, path);
  return id;
}

/** A loose object's type and content, or null when it is not loose (packed by a `git gc`, or absent). */
export async function readLooseObject(gitDir: string, id: string): Promise<{ type: string; content: Buffer } | null> {
  const raw = await readFile(objectPath(gitDir, id)).catch(() => null);
  if (!raw) return null;
  const data = inflateSync(raw);
  const nul = data.indexOf(0);
  return { type: data.subarray(0, nul).toString().split(' ')[0]!, content: data.subarray(nul + 1) };
}

/** A tree of blobs (mode 100644), entries in git's order (byte order of the names: all are files). */
export function treeContent(entries: ReadonlyArray<{ name: string; id: string }>): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  return Buffer.concat(sorted.flatMap((e) => [Buffer.from(`100644 ${e.name}\0`), Buffer.from(e.id, 'hex')]));
}

/** The blob entries of a tree object's content. */
export function parseTree(content: Buffer): Array<{ name: string; id: string }> {
  const entries: Array<{ name: string; id: string }> = [];
  let at = 0;
  while (at < content.length) {
    const nul = content.indexOf(0, at);
    const name = content.subarray(content.indexOf(0x20, at) + 1, nul).toString();
    entries.push({ name, id: content.subarray(nul + 1, nul + 21).toString('hex') });
    at = nul + 21;
  }
  return entries;
}

/** A commit as `git commit-tree -m` writes it: the message ends with one newline. */
export function commitContent(input: { tree: string; parents: readonly string[]; who: Identity; at: Date; message: string }): Buffer {
  const stamp = `${input.who.name} <${input.who.email}> ${Math.floor(input.at.getTime() / 1000)} +0000`;
  const lines = [`tree ${input.tree}`, ...input.parents.map((p) => `parent ${p}`), `author ${stamp}`, `committer ${stamp}`, '', input.message];
  const text = lines.join('\n');
  return Buffer.from(text.endsWith('\n') ? text : `${text}\n`);
}

/** The tree and parents a commit object names. */
export function parseCommitHeader(content: Buffer): { tree: string | null; parents: string[] } {
  const header = content.toString().split('\n\n')[0] ?? '';
  const lines = header.split('\n');
  return { tree: lines.find((l) => l.startsWith('tree '))?.slice(5) ?? null, parents: lines.filter((l) => l.startsWith('parent ')).map((l) => l.slice(7)) };
}

/**
 * Points `ref` (e.g. refs/heads/node-3) at `id` as `git update-ref` does: through a lock file that makes a
 * concurrent writer fail rather than interleave, then a rename; the move is appended to the ref's reflog.
 */
export async function updateRef(gitDir: string, ref: string, id: string, old: string | null, who: Identity, at: Date, reason: string): Promise<void> {
  const path = join(gitDir, ref);
  await mkdir(dirname(path), { recursive: true });
  const lock = `${path}.lock`;
  const handle = await open(lock, 'wx');
  try {
    await handle.writeFile(`${id}\n`);
  } finally {
    await handle.close();
  }
  try {
    const log = join(gitDir, 'logs', ref);
    await mkdir(dirname(log), { recursive: true });
    const line = `${old ?? '0'.repeat(40)} ${id} ${who.name} <${who.email}> ${Math.floor(at.getTime() / 1000)} +0000\t${reason.replace(/\n/g, ' ')}\n`;
    await appendFile(log, line);
    await rename(lock, path);
  } catch (error) {
    await rm(lock, { force: true });
    throw error;
  }
}

function objectPath(gitDir: string, id: string): string {
  return join(gitDir, 'objects', id.slice(0, 2), id.slice(2));
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
