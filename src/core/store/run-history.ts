import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { ExternalError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { NODE_FILES } from './layout.js';
import type { NodeResult } from './schema.js';

/** The one file each node's tree holds. */
export const SCRIPT_NAME = NODE_FILES.script;
const IDENTITY = { name: 'speedrun', email: 'speedrun@localhost' };
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
    return history;
  }

  /** Commits the node's script on its parent's commit and points branch node-<n> at it; returns the commit. */
  commitNode(input: NodeCommitInput): Promise<string> {
    return this.serialise(() => this.writeNodeCommit(input));
  }

  /** Attaches the node's measured outcome as a git note (replacing an earlier one), shown by `git log --notes`. */
  recordOutcome(node: number, text: string): Promise<void> {
    return this.serialise(async () => {
      const commit = await this.requireCommit(node);
      await this.git(['notes', 'add', '-f', '-m', text, commit], identityEnv(new Date()));
    });
  }

  /** The commit of node-<n>, or null when the node has none yet. */
  async commitOf(node: number): Promise<string | null> {
    // for-each-ref matches whole path components (node-3 never matches node-30) and prints nothing when absent.
    const out = await this.git(['for-each-ref', '--format=%(objectname)', `refs/heads/${branchOf(node)}`]);
    return out.trim() || null;
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async writeNodeCommit(input: NodeCommitInput): Promise<string> {
    const parentNodes = [input.parent, input.secondParent ?? null].filter((p): p is number => p !== null);
    const parents = await Promise.all(parentNodes.map((p) => this.requireCommit(p)));
    const tree = await this.treeWithScript(input.script);
    const existing = await this.commitOf(input.node);
    if (existing !== null && (await this.sameCommit(existing, tree, parents))) return existing;

    const parentArgs = parents.flatMap((p) => ['-p', p]);
    const message = commitMessage(input);
    const commit = (await this.git(['commit-tree', tree, ...parentArgs, '-m', message], identityEnv(input.at ?? new Date()))).trim();
    // Compare-and-swap: the ref moves only from the value read above (all zeros: "must not exist yet").
    // update-ref writes a lock file and renames it, so the ref is never half-written.
    const expected = existing ?? '0'.repeat(commit.length);
    const reason = existing === null ? `node ${input.node}` : `node ${input.node}: re-committed with a different script`;
    await this.git(['update-ref', '-m', reason, `refs/heads/${branchOf(input.node)}`, commit, expected]);
    return commit;
  }

  /** A tree holding only the script, written through a throwaway index so the real one never exists. */
  private async treeWithScript(script: string): Promise<string> {
    const tmp = join(this.gitDir, TMP_DIR);
    await mkdir(tmp, { recursive: true });
    const stem = join(tmp, `${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await writeFile(`${stem}.script`, script, 'utf8');
      // --no-filters: store the exact bytes, whatever attributes or autocrlf say.
      const blob = (await this.git(['hash-object', '-w', '--no-filters', '--', `${stem}.script`])).trim();
      const indexEnv = { GIT_INDEX_FILE: `${stem}.index` };
      await this.git(['update-index', '--add', '--cacheinfo', `100644,${blob},${SCRIPT_NAME}`], indexEnv);
      return (await this.git(['write-tree'], indexEnv)).trim();
    } finally {
      await rm(`${stem}.script`, { force: true });
      await rm(`${stem}.index`, { force: true });
    }
  }

  private async sameCommit(commit: string, tree: string, parents: string[]): Promise<boolean> {
    const header = (await this.git(['cat-file', 'commit', commit])).split('\n\n')[0] ?? '';
    const lines = header.split('\n');
    const actualTree = lines.find((l) => l.startsWith('tree '))?.slice(5);
    const actualParents = lines.filter((l) => l.startsWith('parent ')).map((l) => l.slice(7));
    return actualTree === tree && actualParents.join(' ') === parents.join(' ');
  }

  private async requireCommit(node: number): Promise<string> {
    const commit = await this.commitOf(node);
    if (commit === null) throw new Error(`run history in ${this.dir} has no commit for node ${node}; commit it before its children or outcome`);
    return commit;
  }

  /**
   * A process killed mid-write can leave our temp files and git lock files behind; a lock would make every later
   * update of that ref fail. Only the harness writes this repository and open() runs before it writes, so any lock
   * found now is stale.
   */
  private async clearCrashLeftovers(): Promise<void> {
    await rm(join(this.gitDir, TMP_DIR), { recursive: true, force: true });
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
      const detail = text.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3).join(' | ');
      throw new ExternalError('git', `\`git ${args[0] ?? ''}\` failed in ${this.dir}: ${detail || 'no output'}`, 'check that the run folder is writable and its .git folder is intact');
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

/** The same identity and date for author and committer, so commits never depend on the machine's git setup. */
function identityEnv(at: Date): Record<string, string> {
  const date = `@${Math.floor(at.getTime() / 1000)} +0000`;
  return {
    GIT_AUTHOR_NAME: IDENTITY.name,
    GIT_AUTHOR_EMAIL: IDENTITY.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: IDENTITY.name,
    GIT_COMMITTER_EMAIL: IDENTITY.email,
    GIT_COMMITTER_DATE: date,
  };
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
