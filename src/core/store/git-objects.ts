/**
 * Git's on-disk formats, written in-process: the contents of blobs, trees and commits (git-pack.ts packs them)
 * and loose refs with their reflogs. The run history writes one commit and one note per node; as git
 * subprocesses that was about ten process starts a node, the harness's largest cost at the paper's scale (README
 * "Capacity"). The files are the ones git itself writes, so `git log`, `git diff` and `git fsck` read them as usual.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { appendInFolder, inFolder } from '../fs-atomic.js';

export type ObjectType = 'blob' | 'tree' | 'commit';

export interface Identity {
  name: string;
  email: string;
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
  const fd = inFolder(dirname(path), () => openSync(lock, 'wx'));
  try {
    writeSync(fd, `${id}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    if (reason !== null) {
      const line = `${old ?? '0'.repeat(40)} ${id} ${who.name} <${who.email}> ${Math.floor(at.getTime() / 1000)} +0000\t${reason.replace(/\n/g, ' ')}\n`;
      appendInFolder(join(gitDir, 'logs', ref), line);
    }
    renameSync(lock, path);
  } catch (error) {
    rmSync(lock, { force: true });
    throw error;
  }
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
