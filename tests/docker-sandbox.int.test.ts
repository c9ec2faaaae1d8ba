import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import { DockerExecutor, type DockerExecResult } from '../src/core/exec/docker/docker-executor.js';
import { CPU_IMAGE, containersOfRun, dockerForTests, uniqueRunId } from './helpers/docker.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

let docker: Docker;
beforeAll(async () => {
  docker = await dockerForTests();
});
afterAll(removeTempDirs);

const LEAK_VAR = 'OPENAI_API_KEY';
const savedLeak = process.env[LEAK_VAR];
afterEach(() => {
  if (savedLeak === undefined) delete process.env[LEAK_VAR];
  else process.env[LEAK_VAR] = savedLeak;
});

interface SandboxNode {
  runId: string;
  workDir: string;
  data: string;
  root: string;
}

/**
 * A node folder and one data folder holding shard.bin. The data folder and file are writable by everyone on the host,
 * so only the read-only mount can stop the container from writing to them.
 */
async function sandboxNode(): Promise<SandboxNode> {
  const root = await tempDir('docker-sandbox');
  const data = join(root, 'data');
  const workDir = join(root, 'node');
  await mkdir(data);
  await mkdir(workDir);
  await writeFile(join(data, 'shard.bin'), 'tokens');
  await chmod(data, 0o777);
  await chmod(join(data, 'shard.bin'), 0o666);
  return { runId: uniqueRunId('sandbox'), workDir, data, root };
}

/** Runs `source` as the node's script; probes print "name=json" lines, collected into `out`. */
async function runScript(
  node: SandboxNode,
  source: string,
  onLine?: (line: string) => void,
): Promise<{ result: DockerExecResult; out: Record<string, unknown> }> {
  const scriptPath = join(node.workDir, 'train.py');
  await writeFile(scriptPath, source);
  const out: Record<string, unknown> = {};
  const result = await new DockerExecutor(docker, { image: CPU_IMAGE, compileCacheDir: join(node.root, 'cache') }).run({
    runId: node.runId,
    node: 3,
    workDir: node.workDir,
    scriptPath,
    runner: 'python',
    nproc: 1,
    python: 'python3',
    gpus: [],
    env: { DATA_FILE: join(node.data, 'shard.bin'), DATA_GLOB: join(node.data, 'shard_*.bin') },
    readOnlyDirs: [node.data],
    timeoutMs: 60_000,
    onLine: (stream, line) => {
      const m = /^(\w+)=(.*)$/.exec(line);
      if (stream === 'stdout' && m) out[m[1]!] = JSON.parse(m[2]!);
      if (stream === 'stdout') onLine?.(line);
    },
  });
  return { result, out };
}

const PROBES = `
import json, os, socket
def report(name, value): print(f"{name}={json.dumps(value)}", flush=True)
def attempt(fn):
    try:
        fn(); return "ok"
    except OSError as e:
        return type(e).__name__ + ": " + str(e)
def connect(): socket.create_connection(("1.1.1.1", 53), timeout=5).close()
def write_data(): open(os.environ["DATA_FILE"], "a").write("x")
def write_node(): open("/speedrun/node/scratch.txt", "w").write("x")
report("uid", os.getuid())
report("network", attempt(connect))
report("data_read", open(os.environ["DATA_FILE"]).read())
report("data_write", attempt(write_data))
report("node_write", attempt(write_node))
report("env", dict(os.environ))
`;

describe('docker executor sandbox', () => {
  it('runs the script as a non-root user without network, with read-only data and a writable node folder', async () => {
    const node = await sandboxNode();
    const { result, out } = await runScript(node, PROBES);
    expect(result.exitCode).toBe(0);
    expect(out.uid).not.toBe(0);
    // No interface but loopback: "[Errno 101] Network is unreachable".
    expect(out.network).toMatch(/^(OSError|TimeoutError|ConnectionRefusedError|gaierror)/);
    expect(out.data_read).toBe('tokens');
    expect(out.data_write).toMatch(/Read-only file system/);
    expect(out.node_write).toBe('ok');
    expect(existsSync(join(node.workDir, 'scratch.txt'))).toBe(true);
  });

  it('rewrites env paths into the data mount and passes only the track environment', async () => {
    process.env[LEAK_VAR] = 'sk-must-not-leak';
    const { result, out } = await runScript(await sandboxNode(), PROBES);
    expect(result.exitCode).toBe(0);
    const env = out.env as Record<string, string>;
    expect(env.DATA_FILE).toBe('/speedrun/data/0/shard.bin');
    expect(env.DATA_GLOB).toBe('/speedrun/data/0/shard_*.bin');
    expect(env.PYTHONUNBUFFERED).toBe('1');
    expect(env.TORCHINDUCTOR_CACHE_DIR).toMatch(/^\/speedrun\/cache\//);
    expect(env[LEAK_VAR]).toBeUndefined();
    expect(Object.values(env).join('\n')).not.toContain('sk-must-not-leak');
  });

  it("keeps harness secrets out of the running container's configuration and labels it for cleanup", async () => {
    process.env[LEAK_VAR] = 'sk-must-not-leak';
    // The script waits until the test has inspected its container, then exits.
    const source = 'import os, time\nprint("ready", flush=True)\nwhile not os.path.exists("/speedrun/node/go"): time.sleep(0.05)\n';
    const node = await sandboxNode();
    let inspected: Docker.ContainerInspectInfo | undefined;
    const { result } = await runScript(node, source, (line) => {
      if (line !== 'ready') return;
      void (async () => {
        const [info] = await containersOfRun(docker, node.runId);
        inspected = info ? await docker.getContainer(info.Id).inspect() : undefined;
        await writeFile(join(node.workDir, 'go'), '');
      })();
    });
    expect(result.exitCode).toBe(0);
    expect(inspected).toBeDefined();
    const config = inspected!;
    expect(config.Config.Env.join('\n')).not.toContain('sk-must-not-leak');
    expect(config.Config.Env.some((e) => e.startsWith(`${LEAK_VAR}=`))).toBe(false);
    expect(config.Config.User).not.toMatch(/^(0|root)?(:|$)/);
    expect(config.HostConfig.NetworkMode).toBe('none');
    expect(config.HostConfig.Memory).toBeGreaterThan(0);
    expect(config.HostConfig.PidsLimit).toBeGreaterThan(0);
    expect(config.Config.Labels).toMatchObject({ 'speedrun.run': node.runId, 'speedrun.node': '3', 'speedrun.harness-pid': String(process.pid) });
    expect(config.Config.Labels['speedrun.harness-start']).toBeTruthy();
    expect(await containersOfRun(docker, node.runId)).toEqual([]);
  });
});
