import { realpath } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';

/** Where a preset's CLI is mounted, read-only, in the agent's container. */
export const CLI_IN_CONTAINER = '/opt/speedrun-cli';

/** A folder of this machine given to the agent's container read-only, and the CLI's path inside it. */
export interface CliMount {
  host: string;
  container: string;
  /** The program the container runs. */
  cli: string;
}

/**
 * What of this machine a containerised preset needs: the npm install its CLI lives in (the folder that holds its
 * node_modules, so the package's dependencies and the links of node_modules/.bin come along), or for a program
 * outside any node_modules its own folder. The image brings Node.js; the CLI is never copied or installed there.
 */
export async function cliMount(cli: string): Promise<CliMount> {
  const real = await realpath(cli);
  const modules = nodeModulesAncestor(cli) ?? nodeModulesAncestor(real);
  const host = modules ? dirname(modules) : dirname(real);
  // The path as given when it lies in the mounted folder (node_modules/.bin/NAME is a relative link that still
  // resolves there); else the file it resolves to.
  const inside = isWithin(host, cli) ? cli : real;
  return { host, container: CLI_IN_CONTAINER, cli: join(CLI_IN_CONTAINER, relative(host, inside)) };
}

/** The outermost folder named node_modules on the path, so a package's nested node_modules do not cut it short. */
function nodeModulesAncestor(path: string): string | null {
  let found: string | null = null;
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) if (basename(dir) === 'node_modules') found = dir;
  return found;
}

function isWithin(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/');
}
