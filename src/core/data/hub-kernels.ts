import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
import { ExternalError, UserError } from '../errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../fs-atomic.js';
import { downloadResumable } from './http-download.js';

/**
 * Hub kernels: from late 2025 the record scripts load FlashAttention-3 at run time with the `kernels` package
 * (`get_kernel('org/name')`, sometimes `version=1`), which downloads from the Hugging Face hub. Training has no
 * network, so `speedrun data prepare` fetches those repositories once into a folder in the hub cache's own layout
 * (`models--org--name/{refs,snapshots,blobs}`), and every training mounts it read-only with the hub set offline:
 * the unchanged script finds its kernel where `kernels` looks for it, and nothing is downloaded during a run.
 */

/** A kernel a script asks for. `revision` is what the hub resolves: `v<version>` for a version, else the branch. */
export interface HubKernelRef {
  repo: string;
  revision: string;
}

/** `get_kernel("org/name"[, version=N | revision="x"])`, as written in the record scripts. */
const GET_KERNEL = /\bget_kernel\(\s*(["'])([\w.-]+\/[\w.-]+)\1([^)]*)\)/g;

/** The kernels a script loads, each once, in order of first use. */
export function hubKernelsUsed(script: string): HubKernelRef[] {
  const refs = new Map<string, HubKernelRef>();
  for (const match of script.matchAll(GET_KERNEL)) {
    const rest = match[3] ?? '';
    const version = /\bversion\s*=\s*(\d+)/.exec(rest)?.[1];
    const revision = /\brevision\s*=\s*(["'])([^"']+)\1/.exec(rest)?.[2];
    const ref = { repo: match[2]!, revision: version !== undefined ? `v${version}` : (revision ?? 'main') };
    refs.set(`${ref.repo}@${ref.revision}`, ref);
  }
  return [...refs.values()];
}

/** The file in the kernels folder that lists what was fetched, with every file's sha256. */
export const KERNELS_LOCK = 'speedrun-kernels.json';

const LockedFile = z.object({ path: z.string(), sha256: z.string(), bytes: z.number() });
const LockedKernel = z.object({
  repo: z.string(),
  revision: z.string(),
  /** The commit the revision named when fetched; the snapshot folder's name. */
  commit: z.string(),
  files: z.array(LockedFile),
  fetched_at: z.string(),
});
const KernelsLock = z.object({ format: z.literal('speedrun-hub-kernels/1'), kernels: z.array(LockedKernel) });
type LockedKernel = z.infer<typeof LockedKernel>;

export interface FetchKernelsOptions {
  /** The hub, e.g. https://huggingface.co (the CLI reads SPEEDRUN_HF_ENDPOINT). */
  endpoint: string;
  token?: string;
  /** The kernels folder (mounted read-only into trainings). */
  dir: string;
  /**
   * Which build variants to fetch (`build/<variant>/...`): x86_64 Linux (or universal) ones that start with one of
   * these (e.g. `torch210-`); files outside build/ are always kept. Empty: every x86_64 Linux variant.
   */
  variantPrefixes?: readonly string[];
  fetch?: typeof fetch;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

export interface FetchedKernel {
  repo: string;
  revision: string;
  commit: string;
  files: number;
  bytes: number;
  /** present: already in the folder and unchanged; fetched: downloaded now. */
  status: 'present' | 'fetched';
}

/** The hub cache's folder for a model repository. */
export function repoFolder(dir: string, repo: string): string {
  return join(dir, `models--${repo.replace('/', '--')}`);
}

/**
 * Fetches each kernel into `dir` unless it is there and its files still hash to the lock. Blobs and snapshot links
 * are written before the ref, so an interrupted fetch leaves no ref that names a half-written snapshot.
 */
export async function fetchHubKernels(refs: readonly HubKernelRef[], opts: FetchKernelsOptions): Promise<FetchedKernel[]> {
  await mkdir(opts.dir, { recursive: true });
  const lock = await readLock(opts.dir);
  const out: FetchedKernel[] = [];
  for (const ref of refs) {
    const locked = lock.find((k) => k.repo === ref.repo && k.revision === ref.revision);
    if (locked && (await lockedFilesIntact(opts.dir, locked))) {
      out.push({ ...ref, commit: locked.commit, files: locked.files.length, bytes: sum(locked.files), status: 'present' });
      continue;
    }
    const fetched = await fetchOne(ref, opts);
    const next = lock.filter((k) => !(k.repo === ref.repo && k.revision === ref.revision));
    lock.splice(0, lock.length, ...next, fetched);
    await writeJsonAtomic(join(opts.dir, KERNELS_LOCK), { format: 'speedrun-hub-kernels/1', kernels: lock });
    out.push({ ...ref, commit: fetched.commit, files: fetched.files.length, bytes: sum(fetched.files), status: 'fetched' });
  }
  return out;
}

/**
 * What a training needs to load `refs` without network: the fetched folder (mounted read-only), the hub offline, and
 * LOCAL_KERNELS naming each kernel's snapshot. `get_kernel` checks LOCAL_KERNELS before anything else, so it works
 * with `kernels` versions whose offline mode still asks the hub for versions or variants; the hub cache variables
 * serve the rest. A kernel not fetched yet is refused here, before a training starts without it.
 */
export async function hubKernelEnvironment(dir: string, refs: readonly HubKernelRef[]): Promise<{ env: Record<string, string>; dirs: string[] }> {
  if (refs.length === 0) return { env: {}, dirs: [] };
  const lock = await readLock(dir);
  const snapshots = refs.map((ref) => {
    const locked = lock.find((k) => k.repo === ref.repo && k.revision === ref.revision);
    if (!locked) {
      throw new UserError(
        `the hub kernel ${ref.repo}@${ref.revision} has not been fetched into ${dir}`,
        'fetch it once where the hub is reachable: speedrun data prepare --track <track> (then training needs no network)',
      );
    }
    return `${ref.repo}=${join(repoFolder(dir, ref.repo), 'snapshots', locked.commit)}`;
  });
  return {
    env: { LOCAL_KERNELS: snapshots.join(':'), HF_HUB_CACHE: dir, KERNELS_CACHE: dir, HF_HUB_OFFLINE: '1', HF_HUB_DISABLE_TELEMETRY: '1' },
    dirs: [dir],
  };
}

const RevisionInfo = z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/), siblings: z.array(z.object({ rfilename: z.string() })) });

async function fetchOne(ref: HubKernelRef, opts: FetchKernelsOptions): Promise<LockedKernel> {
  const doFetch = opts.fetch ?? fetch;
  const headers: Record<string, string> = opts.token ? { Authorization: `Bearer ${opts.token}` } : {};
  const infoUrl = `${opts.endpoint}/api/models/${ref.repo}/revision/${encodeURIComponent(ref.revision)}`;
  let response: Response;
  try {
    response = await doFetch(infoUrl, { headers, signal: opts.signal });
  } catch (error) {
    throw new ExternalError(
      `cannot reach the Hugging Face hub for kernel ${ref.repo}@${ref.revision}: ${(error as Error).message}`,
      'run speedrun data prepare where the hub is reachable (or set SPEEDRUN_HF_ENDPOINT to a mirror), then carry the cache folder over',
    );
  }
  if (!response.ok) {
    throw new ExternalError(
      `the hub answered ${response.status} for kernel ${ref.repo}@${ref.revision}`,
      response.status === 404 ? `check that ${ref.repo} has a revision ${ref.revision}` : 'try again later, or set HF_TOKEN if the repository is gated',
    );
  }
  const info = RevisionInfo.safeParse(await response.json().catch(() => null));
  if (!info.success) throw new ExternalError(`the hub's answer for kernel ${ref.repo}@${ref.revision} is not a revision listing`, 'check SPEEDRUN_HF_ENDPOINT');
  const commit = info.data.sha;
  const paths = info.data.siblings.map((s) => s.rfilename).filter((path) => wanted(path, opts.variantPrefixes ?? []));
  if (!paths.some((p) => p.startsWith('build/'))) {
    throw new UserError(
      `kernel ${ref.repo}@${ref.revision} has no build for the wanted variants (${(opts.variantPrefixes ?? []).join(', ') || 'x86_64 Linux'})`,
      "check the record's torch version against the kernel's builds",
    );
  }
  const repoDir = repoFolder(opts.dir, ref.repo);
  const files: z.infer<typeof LockedFile>[] = [];
  for (const path of paths) {
    if (path.split('/').includes('..') || path.startsWith('/'))
      throw new ExternalError(`the hub listed an unsafe file name ${path}`, 'check SPEEDRUN_HF_ENDPOINT');
    const staging = join(repoDir, 'blobs', `.incoming-${commit}-${files.length}`);
    await mkdir(dirname(staging), { recursive: true });
    await downloadResumable({
      url: `${opts.endpoint}/${ref.repo}/resolve/${commit}/${path.split('/').map(encodeURIComponent).join('/')}`,
      dest: staging,
      system: 'Hugging Face',
      headers,
      fetch: opts.fetch,
      signal: opts.signal,
      log: opts.log,
    });
    const sha256 = await fileSha256(staging);
    const blob = join(repoDir, 'blobs', sha256);
    await rename(staging, blob);
    const link = join(repoDir, 'snapshots', commit, path);
    await mkdir(dirname(link), { recursive: true });
    await rm(link, { force: true });
    // Relative, as the hub library writes them, so the links hold wherever the folder is mounted.
    await symlink(relative(dirname(link), blob), link);
    files.push({ path, sha256, bytes: (await stat(blob)).size });
  }
  await mkdir(join(repoDir, 'refs', dirname(ref.revision)), { recursive: true });
  await writeFileAtomic(join(repoDir, 'refs', ref.revision), commit);
  opts.log?.(`fetched kernel ${ref.repo}@${ref.revision} (${commit.slice(0, 12)}): ${files.length} files, ${sum(files)} bytes`);
  return { repo: ref.repo, revision: ref.revision, commit, files, fetched_at: new Date().toISOString() };
}

function wanted(path: string, prefixes: readonly string[]): boolean {
  if (!path.startsWith('build/')) return true;
  const variant = path.split('/')[1] ?? '';
  const thisPlatform = variant.includes('x86_64-linux') || variant === 'torch-universal';
  return thisPlatform && (prefixes.length === 0 || prefixes.some((prefix) => variant.startsWith(prefix)));
}

async function readLock(dir: string): Promise<LockedKernel[]> {
  const text = await readFile(join(dir, KERNELS_LOCK), 'utf8').catch(() => null);
  if (text === null) return [];
  const parsed = KernelsLock.safeParse(JSON.parse(text));
  // A lock from another version or edited by hand is not trusted: everything is fetched again.
  return parsed.success ? parsed.data.kernels : [];
}

async function lockedFilesIntact(dir: string, kernel: LockedKernel): Promise<boolean> {
  const repoDir = repoFolder(dir, kernel.repo);
  const ref = await readFile(join(repoDir, 'refs', kernel.revision), 'utf8').catch(() => null);
  if (ref !== kernel.commit) return false;
  for (const file of kernel.files) {
    const link = join(repoDir, 'snapshots', kernel.commit, file.path);
    const target = await readlink(link).catch(() => null);
    if (target === null || (await fileSha256(link).catch(() => null)) !== file.sha256) return false;
  }
  return true;
}

function fileSha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

function sum(files: readonly { bytes: number }[]): number {
  return files.reduce((total, f) => total + f.bytes, 0);
}
