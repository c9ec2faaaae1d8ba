import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { ExternalError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { NODE_FILES } from './layout.js';
import { commitContent, parseCommitHeader, readRefs, treeContent, updateRef } from './git-objects.js';
import { objectId, writePack, type GitObject } from './git-pack.js';
import type { NodeResult } from './schema.js';

/** The one file each node's tree holds. */
export const SCRIPT_NAME = NODE_FILES.script;
const IDENTITY = { name: 'speedrun', email: 'speedrun@localhost' };
const NOTES_REF = 'refs/notes/commits';
/** Local plumbing should take milliseconds; a git that prints nothing for this long is stuck. */
const STALL_MS = 60_000;
const TMP_DIR = 'speedrun-tmp';
const GIT_FIX = 'install git (https://git-scm.com/downloads) and make sure `git --version` works in this shell';

export interface NodeCommitInput {
  node: number;
  /** The node this one was made from; null only for the root (node 0). */
  parent: number | null;
  /** A crossover's other parent: the commit becomes a merge commit. */
  secondParent?: number | null;
  /** Names the step in the commit's first line ("node 3: improve of node 1"). */
  operator?: NodeResult['operator'];
  script: string;
  /** The agent's note; it becomes the commit message's body. */
  message: string;
  /** Author and committer date; defaults to now. */
  at?: Date;
}

export function branchOf(node: number): string {
  return `node-${node}`;
}

/**
 * A git repository in the run folder with one commit per node on its parent's commit, so `git log --graph --all`
 * draws the search tree and `git diff node-1 node-3` compares any two nodes. Commits are built with plumbing
 * only (the working tree, i.e. the run folder, is never touched) and every write goes through one queue.
 */
export class RunHistory {
  readonly dir: string;
  private readonly gitDir: string;
  private queue: Promise<unknown> = Promise.resolve();
  /** Every ref of the repository (refs/heads/node-<n>, the notes ref) and the notes by commit, as on disk. */
  private readonly refs = new Map<string, string>();
  private readonly notes = new Map<string, string>();

  private constructor(dir: string) {
    this.dir = dir;
    this.gitDir = join(dir, '.git');
  }

  /** Creates the repository when absent; reopening one (after a crash too) keeps its history. */
  static async open(runDir: string): Promise<RunHistory> {
    const history = new RunHistory(resolve(runDir));
    await mkdir(history.dir, { recursive: true });
    // `git init` on an existing repository only fills in what is missing. No templates: no sample hooks.
    await history.git(['-c', 'init.defaultBranch=main', 'init', '--quiet', '--template=']);
    // Logs, results and node folders live next to .git and must never show up as untracked.
    await writeFileAtomic(join(history.gitDir, 'info', 'exclude'), '# speedrun versions nodes by plumbing only\n*\n');
    await history.clearCrashLeftovers();
    await history.loadState();
    return history;
  }

  /** Commits the node's script on its parent's commit and points branch node-<n> at it; returns the commit. */
  commitNode(input: NodeCommitInput): Promise<string> {
    return this.serialise(() => this.inProcess(() => this.writeNodeCommit(input)));
  }

  /** Attaches the node's measured outcome as a git note (replacing an earlier one), shown by `git log --notes`. */
  recordOutcome(node: number, text: string): Promise<void> {
    return this.recordOutcomes([{ node, text }]);
  }

  /**
   * Attaches many outcomes in one notes commit (the engine writes a run's notes when it ends: one commit per node
   * cost as much as the node's own commit). Notes that are already there, word for word, are not written again.
   */
  recordOutcomes(outcomes: ReadonlyArray<{ node: number; text: string }>): Promise<void> {
    return this.serialise(() => this.inProcess(() => this.writeNotes(outcomes)));
  }

  /** The commit of node-<n>, or null when the node has none yet. */
  async commitOf(node: number): Promise<string | null> {
    return this.refs.get(`refs/heads/${branchOf(node)}`) ?? null;
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Reads the refs and notes once; from then on this object is the repository's only writer (the run folder has
   * one owner), so it keeps them in memory and writes objects and refs itself, without starting git.
   */
  private async loadState(): Promise<void> {
    for (const [ref, id] of readRefs(this.gitDir)) this.refs.set(ref, id);
    const notesCommit = this.refs.get(NOTES_REF);
    if (notesCommit === undefined) return;
    // Notes trees may fan out (ab/cdef...) once git itself rewrote them; the path without slashes is the commit.
    for (const line of (await this.git(['ls-tree', '-r', notesCommit])).split('\n')) {
      const match = /^\d+ blob ([0-9a-f]{40})\t(.+)$/.exec(line.trim());
      if (match) this.notes.set(match[2]!.replace(/\//g, ''), match[1]!);
    }
  }

  private async writeNodeCommit(input: NodeCommitInput): Promise<string> {
    const parentNodes = [input.parent, input.secondParent ?? null].filter((p): p is number => p !== null);
    const parents = await Promise.all(parentNodes.map((p) => this.requireCommit(p)));
    const blob: GitObject = { type: 'blob', content: Buffer.from(input.script, 'utf8') };
    const tree: GitObject = { type: 'tree', content: treeContent([{ name: SCRIPT_NAME, id: objectId(blob) }]) };
    const ref = `refs/heads/${branchOf(input.node)}`;
    const existing = this.refs.get(ref) ?? null;
    if (existing !== null && (await this.sameCommit(existing, objectId(tree), parents))) return existing;

    const at = input.at ?? new Date();
    const commit: GitObject = { type: 'commit', content: commitContent({ tree: objectId(tree), parents, who: IDENTITY, at, message: commitMessage(input) }) };
    const [, , commitId] = writePack(this.gitDir, [blob, tree, commit]);
    const reason = existing === null ? `node ${input.node}` : `node ${input.node}: re-committed with a different script`;
    await updateRef(this.gitDir, ref, commitId!, existing, IDENTITY, at, reason);
    this.refs.set(ref, commitId!);
    return commitId!;
  }

  /** As `git notes add -f -m` for each: the notes' blobs under their commits' ids in the notes tree, one notes commit more. */
  private async writeNotes(outcomes: ReadonlyArray<{ node: number; text: string }>): Promise<void> {
    const notes = new Map(this.notes);
    const blobs: GitObject[] = [];
    for (const { node, text } of outcomes) {
      const commit = await this.requireCommit(node);
      const blob: GitObject = { type: 'blob', content: Buffer.from(noteText(text), 'utf8') };
      if (notes.get(commit) === objectId(blob)) continue;
      notes.set(commit, objectId(blob));
      blobs.push(blob);
    }
    if (blobs.length === 0) return;
    const at = new Date();
    const tree: GitObject = { type: 'tree', content: treeContent([...notes].map(([name, id]) => ({ name, id }))) };
    const previous = this.refs.get(NOTES_REF) ?? null;
    const message = "Notes added by 'git notes add'";
    const notesCommit: GitObject = {
      type: 'commit',
      content: commitContent({ tree: objectId(tree), parents: previous ? [previous] : [], who: IDENTITY, at, message }),
    };
    const notesCommitId = writePack(this.gitDir, [...blobs, tree, notesCommit]).at(-1)!;
    await updateRef(this.gitDir, NOTES_REF, notesCommitId, previous, IDENTITY, at, null);
    for (const [commit, id] of notes) this.notes.set(commit, id);
    this.refs.set(NOTES_REF, notesCommitId);
  }

  /** Whether a node's commit has this tree and these parents (read through git: only a resume re-commits). */
  private async sameCommit(commit: string, tree: string, parents: string[]): Promise<boolean> {
    const header = parseCommitHeader(Buffer.from(await this.git(['cat-file', 'commit', commit])));
    return header.tree === tree && header.parents.join(' ') === parents.join(' ');
  }

  private async requireCommit(node: number): Promise<string> {
    const commit = await this.commitOf(node);
    if (commit === null) throw new Error(`run history in ${this.dir} has no commit for node ${node}; commit it before its children or outcome`);
    return commit;
  }

  /** File-system failures of the in-process writes, said as the git failures they replace. */
  private async inProcess<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof ExternalError || (error instanceof Error && /has no commit for node/.test(error.message))) throw error;
      const text = error instanceof Error ? error.message : String(error);
      throw new ExternalError(
        'git',
        `writing the run history in ${this.dir} failed: ${text}`,
        'check that the run folder is writable and its .git folder is intact',
      );
    }
  }

  /**
   * A process killed mid-write can leave our temp files and git lock files behind; a lock would make every later
   * update of that ref fail. Only the harness writes this repository and open() runs before it writes, so any lock
   * found now is stale.
   */
  private async clearCrashLeftovers(): Promise<void> {
    // Temp files of older versions (TMP_DIR), objects a crash left half-written before their rename, and a pack
    // whose index was never written (nothing refers to its objects).
    await rm(join(this.gitDir, TMP_DIR), { recursive: true, force: true });
    const objects = new Set(await readdir(join(this.gitDir, 'objects'), { recursive: true }).catch(() => [] as string[]));
    const leftovers = [...objects].filter((e) => e.endsWith('.tmp') || (e.endsWith('.pack') && !objects.has(e.replace(/\.pack$/, '.idx'))));
    await Promise.all(leftovers.map((e) => rm(join(this.gitDir, 'objects', e), { force: true })));
    await rm(join(this.gitDir, 'packed-refs.lock'), { force: true });
    for (const folder of [join(this.gitDir, 'refs', 'heads'), join(this.gitDir, 'refs', 'notes')]) {
      const entries = await readdir(folder, { recursive: true }).catch(() => [] as string[]);
      await Promise.all(entries.filter((e) => e.endsWith('.lock')).map((e) => rm(join(folder, e), { force: true })));
    }
  }

  private async git(args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
    const git = simpleGit({ baseDir: this.dir, timeout: { block: STALL_MS }, unsafe: ISOLATION_NEEDS });
    git.env({ ...isolatedEnv(this.gitDir), ...extraEnv });
    try {
      return await git.raw(['-c', 'commit.gpgsign=false', ...args]);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (/spawn\s+\S*git\S*\s+ENOENT/.test(text)) throw new ExternalError('git', 'git is not installed or not on PATH', GIT_FIX);
      const detail = text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(0, 3)
        .join(' | ');
      throw new ExternalError(
        'git',
        `\`git ${args[0] ?? ''}\` failed in ${this.dir}: ${detail || 'no output'}`,
        'check that the run folder is writable and its .git folder is intact',
      );
    }
  }
}

/** GIT_CONFIG_GLOBAL and the empty --template= are our own, fixed choices; simple-git blocks them by default. */
const ISOLATION_NEEDS = { allowUnsafeConfigPaths: true, allowUnsafeTemplateDir: true };

/**
 * Only what git needs to run: no user or system config, no HOME (so no ~/.config/git attributes or ignores),
 * and no GIT_* variables from outside (inside a git hook GIT_DIR would point at another repository).
 */
function isolatedEnv(gitDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'Path', 'SystemRoot', 'TMPDIR', 'TMP', 'TEMP']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, LC_ALL: 'C', GIT_DIR: gitDir, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' };
}

/** A note as `git notes add -m` keeps it: trailing spaces and blank lines at either end dropped, one final newline. */
function noteText(text: string): string {
  const lines = text.split('\n').map((l) => l.trimEnd());
  while (lines.length && lines[0] === '') lines.shift();
  while (lines.length && lines.at(-1) === '') lines.pop();
  return `${lines.join('\n')}\n`;
}

/** "node 3: improve of node 1", "node 5: crossover of nodes 2 and 4", "node 0: baseline", then the agent's note. */
export function commitMessage(input: Pick<NodeCommitInput, 'node' | 'parent' | 'secondParent' | 'operator' | 'message'>): string {
  const second = input.secondParent ?? null;
  let subject: string;
  if (input.parent === null) subject = `node ${input.node}: ${input.operator ?? 'root'}`;
  else if (second === null) subject = `node ${input.node}: ${input.operator ?? 'child'} of node ${input.parent}`;
  else subject = `node ${input.node}: ${input.operator ?? 'crossover'} of nodes ${input.parent} and ${second}`;
  const note = input.message.trim();
  return note ? `${subject}\n\n${note}` : subject;
}
