/**
 * Git's on-disk formats, written in-process: loose objects (blob, tree, commit) and loose refs with their
 * reflogs. The run history writes one commit and one note per node; as git subprocesses that was about ten
 * process starts a node, the harness's largest cost at the paper's scale (README "Capacity"). The files are
 * the ones git itself writes, so `git log`, `git diff` and `git fsck` read them as usual.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { access, appendFile, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';

export type ObjectType = 'blob' | 'tree' | 'commit';

export interface Identity {
  name: string;
  email: string;
}

// At the paper's scale file-system calls are the harness's main cost (README "Capacity"), so each is counted:
// folders are made once per process, and an object already present is not written again.
const madeDirs = new Set<string>();

/** Past this many folders the cache starts over, so a bench of thousands of runs does not hold them all. */
const MADE_DIRS_KEPT = 10_000;

async function ensureDir(path: string): Promise<void> {
  if (madeDirs.has(path)) return;
  await mkdir(path, { recursive: true });
  if (madeDirs.size >= MADE_DIRS_KEPT) madeDirs.clear();
  madeDirs.add(path);
}

/** Runs `write` in `dir`, made if needed; a folder removed since it was made (a deleted run) is made again. */
async function inDir<T>(dir: string, write: () => Promise<T>): Promise<T> {
  await ensureDir(dir);
  try {
    return await write();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    madeDirs.delete(dir);
    await ensureDir(dir);
    return write();
  }
}

/** Writes an object unless it is there already; returns its id (sha1 hex). */
export async function writeObject(gitDir: string, type: ObjectType, content: Buffer): Promise<string> {
  const data = Buffer.concat([Buffer.from(`${type} ${content.length}\0`), content]);
  const id = createHash('sha1').update(data).digest('hex');
  const path = objectPath(gitDir, id);
  if (await exists(path)) return id;
  // Objects are immutable and named by content: a temp file renamed into place is never seen half-written.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await inDir(dirname(path), () => writeFile(tmp, deflateSync(data)));
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
 * concurrent writer fail rather than interleave, then a rename. A branch's move is appended to its reflog (so a
 * re-committed node's first commit stays reachable); `reason: null` writes none (the notes ref: one entry per
 * node outcome that nobody reads).
 */
export async function updateRef(gitDir: string, ref: string, id: string, old: string | null, who: Identity, at: Date, reason: string | null): Promise<void> {
  const path = join(gitDir, ref);
  const lock = `${path}.lock`;
  const handle = await inDir(dirname(path), () => open(lock, 'wx'));
  try {
    await handle.writeFile(`${id}\n`);
  } finally {
    await handle.close();
  }
  try {
    if (reason !== null) {
      const log = join(gitDir, 'logs', ref);
      const line = `${old ?? '0'.repeat(40)} ${id} ${who.name} <${who.email}> ${Math.floor(at.getTime() / 1000)} +0000\t${reason.replace(/\n/g, ' ')}\n`;
      await inDir(dirname(log), () => appendFile(log, line));
    }
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

/**
 * Every ref under refs/ with its id: loose ref files, and packed-refs for those a `git gc` packed (a loose file
 * wins, as in git). Symbolic refs are not used by the run history and are skipped.
 */
export function readRefs(gitDir: string): Map<string, string> {
  const refs = new Map<string, string>();
  let packed = '';
  try {
    packed = readFileSync(join(gitDir, 'packed-refs'), 'utf8');
  } catch {
    // No packed refs: a repository git gc never touched.
  }
  for (const line of packed.split('\n')) {
    const match = /^([0-9a-f]{40}) (refs\/\S+)$/.exec(line.trim());
    if (match) refs.set(match[2]!, match[1]!);
  }
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(gitDir, relative), { withFileTypes: true })) {
      const ref = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(ref);
      else if (!entry.name.endsWith('.lock')) {
        const id = readFileSync(join(gitDir, ref), 'utf8').trim();
        if (/^[0-9a-f]{40}$/.test(id)) refs.set(ref, id);
      }
    }
  };
  if (existsSync(join(gitDir, 'refs'))) walk('refs');
  return refs;
}
