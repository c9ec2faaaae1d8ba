import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { ExecSpec } from '../types.js';

/** Where things are inside the container; fixed, so logs and error messages look the same on every host. */
export const CONTAINER_PATHS = {
  node: '/speedrun/node',
  data: (i: number) => `/speedrun/data/${i}`,
  script: '/speedrun/script',
  cache: '/speedrun/cache',
} as const;

export interface Mount {
  host: string;
  container: string;
  readOnly: boolean;
}

export interface MountPlan {
  mounts: Mount[];
  /** The script's path inside the container. */
  scriptPath: string;
  /** Rewrites host paths under a mounted folder to their container paths. */
  toContainerPath: (value: string) => string;
}

/**
 * The node folder read-write, each data folder read-only, the compile cache read-write. A script outside the node
 * folder (callers normally put it inside) gets its own folder mounted read-only, so it cannot be edited from within.
 */
export function planMounts(spec: ExecSpec, cacheDir: string | undefined): MountPlan {
  const workDir = resolve(spec.workDir);
  const mounts: Mount[] = [{ host: workDir, container: CONTAINER_PATHS.node, readOnly: false }];
  spec.readOnlyDirs.forEach((dir, i) => mounts.push({ host: resolve(dir), container: CONTAINER_PATHS.data(i), readOnly: true }));
  if (cacheDir !== undefined) mounts.push({ host: resolve(cacheDir), container: CONTAINER_PATHS.cache, readOnly: false });

  const script = resolve(spec.scriptPath);
  const inNode = isInside(script, workDir);
  if (!inNode) mounts.push({ host: dirname(script), container: CONTAINER_PATHS.script, readOnly: true });
  const scriptPath = inNode ? `${CONTAINER_PATHS.node}/${relative(workDir, script).split(sep).join('/')}` : `${CONTAINER_PATHS.script}/${basename(script)}`;

  // Longest host path first, so a data folder inside the node folder maps to its own mount.
  const byDepth = [...mounts].sort((a, b) => b.host.length - a.host.length);
  const toContainerPath = (value: string) => rewritePaths(value, byDepth);
  return { mounts, scriptPath, toContainerPath };
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Replaces each host folder in `value` by its container path, where it starts a path: at the start of the value
 * or after a list separator (':' or ',', as in PATH-like variables) or '=' (as in LOCAL_KERNELS's `repo=path`), and
 * followed by '/', a separator or the end.
 * Glob patterns such as /data/tiny/tiny_train_*.bin keep their tail unchanged.
 */
export function rewritePaths(value: string, mounts: readonly Mount[]): string {
  for (const mount of mounts) {
    const host = escapeRegExp(mount.host);
    value = value.replace(new RegExp(`(^|[:,=])${host}(?=$|[/:,])`, 'g'), `$1${mount.container}`);
  }
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
