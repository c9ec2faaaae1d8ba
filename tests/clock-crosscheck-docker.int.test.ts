import { afterAll, describe, expect, it } from 'vitest';
import { DockerExecutor } from '../src/core/exec/docker/docker-executor.js';
import { execute, steppingScript } from './helpers/clock-scripts.js';
import { CPU_IMAGE, dockerForTests } from './helpers/docker.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

// The docker half of the step-line clock cross-check (clock-crosscheck.test.ts has the rest): needs a Docker engine.
describe('the step-line clock cross-check in a container', () => {
  it('flags under-reporting inside a container too: the docker executor streams lines as they are printed', { timeout: 60_000 }, async () => {
    const docker = new DockerExecutor(await dockerForTests(), { image: CPU_IMAGE, compileCacheDir: await tempDir('clock-cache') });
    const cheat = await execute(steppingScript(5), docker);
    expect(cheat.status).toBe('ok');
    expect(cheat.integrity?.findings.map((f) => f.rule)).toEqual(['clock_crosscheck']);
    expect((await execute(steppingScript(600), docker)).integrity).toBeNull();
  });
});
