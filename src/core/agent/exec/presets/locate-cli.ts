import { access, constants } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { UserError } from '../../../errors.js';
import type { CliPreset } from './cli-preset.js';

/** Where a preset's CLI is installed under the cache: <cache>/agents/<name>. */
export function installDir(cacheRoot: string, preset: CliPreset): string {
  return join(cacheRoot, 'agents', preset.name);
}

function installedBin(dir: string, preset: CliPreset): string {
  return join(dir, 'node_modules', '.bin', preset.bin);
}

async function executable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/**
 * The CLI a preset runs: the path given (--agent-cli, `cli:` in a bench), else the copy under the cache, installed
 * there with npm at the tested version when it is not yet.
 */
export async function locateCli(
  preset: CliPreset,
  opts: { explicit?: string; cacheRoot: string; env: NodeJS.ProcessEnv; log: (line: string) => void },
): Promise<string> {
  if (opts.explicit) {
    const path = resolve(opts.explicit);
    if (!(await executable(path))) throw new UserError(`--agent-cli ${opts.explicit} is not an executable file`, `pass the path of the ${preset.bin} program`);
    return path;
  }
  const dir = installDir(opts.cacheRoot, preset);
  const bin = installedBin(dir, preset);
  if (await executable(bin)) return bin;
  return installCli(preset, opts.cacheRoot, opts.env, opts.log);
}

/** npm install --prefix <cache>/agents/<name> <package>@<tested version>. */
export async function installCli(preset: CliPreset, cacheRoot: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<string> {
  const dir = installDir(cacheRoot, preset);
  const spec = `${preset.package}@${preset.version}`;
  log(`agent: installing ${spec} into ${dir} (once; later runs reuse it)`);
  const installed = await execa('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel', 'error', spec], {
    env,
    reject: false,
    stdin: 'ignore',
  });
  if ((installed as { code?: string }).code === 'ENOENT')
    throw new UserError(`cannot install ${spec}: npm is not on PATH`, `install Node.js with npm, or pass the CLI's path with --agent-cli`);
  if (installed.exitCode !== 0) {
    const tail = `${installed.stderr}`.trim().split('\n').slice(-5).join('\n');
    throw new UserError(
      `npm could not install ${spec} (exit ${installed.exitCode}):\n${tail}`,
      `check the network and npm's registry, or pass the CLI's path with --agent-cli`,
    );
  }
  const bin = installedBin(dir, preset);
  if (!(await executable(bin))) throw new UserError(`npm installed ${spec} but ${bin} is missing`, `pass the CLI's path with --agent-cli`);
  return bin;
}
