import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliMount } from '../src/core/agent/exec/presets/cli-mount.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

/** An npm install as `npm install --prefix DIR pkg` leaves it: the package, its bin link, a nested dependency. */
async function npmInstall(): Promise<string> {
  const prefix = await tempDir('cli-install');
  const pkg = join(prefix, 'node_modules', '@acme', 'cli');
  await mkdir(join(pkg, 'node_modules', 'dep'), { recursive: true });
  await writeFile(join(pkg, 'cli.js'), '#!/usr/bin/env node\n');
  await chmod(join(pkg, 'cli.js'), 0o755);
  await mkdir(join(prefix, 'node_modules', '.bin'));
  await symlink('../@acme/cli/cli.js', join(prefix, 'node_modules', '.bin', 'acme'));
  return prefix;
}

describe('the CLI folder a containerised preset mounts', () => {
  it('an install under the cache: its whole prefix, the bin link run as it is', async () => {
    const prefix = await npmInstall();
    expect(await cliMount(join(prefix, 'node_modules', '.bin', 'acme'))).toEqual({
      host: prefix,
      container: '/opt/speedrun-cli',
      cli: '/opt/speedrun-cli/node_modules/.bin/acme',
    });
  });

  it('a global link outside node_modules (like /usr/local/bin/NAME): the install it points into', async () => {
    const prefix = await npmInstall();
    const bin = await tempDir('cli-bin');
    await symlink(join(prefix, 'node_modules', '@acme', 'cli', 'cli.js'), join(bin, 'acme'));
    expect(await cliMount(join(bin, 'acme'))).toEqual({ host: prefix, container: '/opt/speedrun-cli', cli: '/opt/speedrun-cli/node_modules/@acme/cli/cli.js' });
  });

  it('a program outside any npm install: its own folder', async () => {
    const dir = await tempDir('cli-standalone');
    await writeFile(join(dir, 'agent'), '#!/bin/sh\n');
    expect(await cliMount(join(dir, 'agent'))).toEqual({ host: dir, container: '/opt/speedrun-cli', cli: '/opt/speedrun-cli/agent' });
  });
});
