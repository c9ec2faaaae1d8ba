import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { ExternalError, UserError } from '../errors.js';

/** How the local mirror came to hold the pinned commit. */
export type MirrorAction = 'cloned' | 'fetched' | 'reused';

export interface GitOptions {
  signal?: AbortSignal;
  /** Environment for git (the CLI passes its own); prompts are always turned off. */
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

const NETWORK_FIX = 'check the network connection, or pass --source PATH to a local clone of the repository';
/** Kill git when it prints nothing for this long (a stalled network transfer). */
const STALL_MS = 5 * 60_000;

/** URLs (https://, ssh://, file://) and scp-like `user@host:path` go to git as they are; anything else is a local path. */
export function normaliseSource(source: string): string {
  if (source.startsWith('-')) {
    throw new UserError(
      `source ${JSON.stringify(source)} looks like an option, not a URL or path`,
      'pass a URL (https://...) or a path to a local clone; prefix a path with ./ if its name starts with -',
    );
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) || /^[^/\s]+@[^/\s:]+:/.test(source)) return source;
  return resolve(source);
}

/**
 * simple-git refuses environments that set editors, pagers, askpass, ssh commands or config paths. Here the
 * environment is the user's own shell (as trusted as running git there) and our arguments are fixed, so those
 * checks would only break ordinary setups (EDITOR, GIT_SSH_COMMAND, ...).
 */
const TRUST_USER_ENV = {
  allowUnsafeEditor: true,
  allowUnsafePager: true,
  allowUnsafeAskPass: true,
  allowUnsafeConfigPaths: true,
  allowUnsafeConfigEnvCount: true,
  allowUnsafeSshCommand: true,
  allowUnsafeGitProxy: true,
  allowUnsafeTemplateDir: true,
  allowUnsafeDiffExternal: true,
  allowUnsafeCredentialHelper: true,
};

function git(baseDir: string, opts: GitOptions): SimpleGit {
  const instance = simpleGit({ baseDir, abort: opts.signal, timeout: { block: STALL_MS }, unsafe: opts.env ? TRUST_USER_ENV : {} });
  if (opts.env) instance.env({ ...opts.env, GIT_TERMINAL_PROMPT: '0' });
  return instance;
}

function firstLines(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(0, 3)
      .join(' | ') || 'git failed'
  );
}

function rethrowIfAborted(opts: GitOptions): void {
  if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function hasCommit(mirror: string, commit: string, opts: GitOptions): Promise<boolean> {
  try {
    await git(mirror, opts).raw(['cat-file', '-e', `${commit}^{commit}`]);
    return true;
  } catch {
    rethrowIfAborted(opts);
    return false;
  }
}

/**
 * Make sure the bare mirror at `mirror` holds `commit`: clone it when absent (into a temp folder, renamed into
 * place only when complete), fetch from `source` when it lacks the commit, reuse it otherwise.
 */
export async function ensureCommit(mirror: string, source: string, commit: string, opts: GitOptions & { sourceOverridden: boolean }): Promise<MirrorAction> {
  const log = opts.log ?? (() => {});
  let action: MirrorAction;
  if (await exists(join(mirror, 'HEAD'))) {
    if (await hasCommit(mirror, commit, opts)) {
      log(`commit ${commit.slice(0, 12)} is already in the local mirror ${mirror}`);
      return 'reused';
    }
    log(`fetching ${source} into ${mirror}`);
    try {
      await git(mirror, opts).raw(['fetch', '--tags', source, '+refs/heads/*:refs/heads/*']);
    } catch (error) {
      rethrowIfAborted(opts);
      throw new ExternalError('git', `could not fetch ${source}: ${firstLines(error)}`, NETWORK_FIX);
    }
    action = 'fetched';
  } else {
    const parent = resolve(mirror, '..');
    await mkdir(parent, { recursive: true });
    const tmp = `${mirror}.tmp-${randomBytes(4).toString('hex')}`;
    log(`cloning ${source} into ${mirror}`);
    try {
      await git(parent, opts).clone(source, tmp, ['--bare', '--quiet']);
      await rm(mirror, { recursive: true, force: true }); // a mirror without HEAD is a leftover
      await rename(tmp, mirror);
    } catch (error) {
      await rm(tmp, { recursive: true, force: true });
      rethrowIfAborted(opts);
      throw new ExternalError('git', `could not clone ${source}: ${firstLines(error)}`, NETWORK_FIX);
    }
    action = 'cloned';
  }
  if (await hasCommit(mirror, commit, opts)) return action;
  // Not on any branch or tag: servers that allow it hand out a commit by its id.
  try {
    await git(mirror, opts).raw(['fetch', source, commit]);
  } catch {
    rethrowIfAborted(opts);
  }
  if (await hasCommit(mirror, commit, opts)) return action;
  const message = `commit ${commit} does not exist in ${source}`;
  if (opts.sourceOverridden) {
    throw new UserError(message, `pass --source pointing at a clone that contains commit ${commit} (git fetch there first)`);
  }
  throw new ExternalError('git', message, 'the upstream history may have been rewritten; pass --source PATH to a clone that still has the commit');
}

/** Every file path in the commit's tree. */
export async function listTree(mirror: string, commit: string, opts: GitOptions): Promise<Set<string>> {
  const out = await git(mirror, opts).raw(['ls-tree', '-r', '-z', '--name-only', '--full-tree', commit]);
  return new Set(out.split('\0').filter(Boolean));
}

/** A file's exact bytes at the commit. */
export async function readBlob(mirror: string, commit: string, path: string, opts: GitOptions): Promise<Buffer> {
  const out: unknown = await git(mirror, opts).binaryCatFile(['blob', `${commit}:${path}`]);
  return Buffer.isBuffer(out) ? out : Buffer.from(String(out));
}
