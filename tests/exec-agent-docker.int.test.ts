import { existsSync } from 'node:fs';
import { chmod, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import { execa } from 'execa';
import type { ProposeInput } from '../src/core/agent/agent.js';
import { LlmBudget } from '../src/core/agent/budget.js';
import { AGENT_ROLE, DockerAgentSandbox } from '../src/core/agent/exec/docker-agent-command.js';
import { ExecAgent, type AgentProxy, type ExecAgentOptions } from '../src/core/agent/exec/exec-agent.js';
import { AGENT_IMAGE } from '../src/core/exec/docker/images.js';
import { LABEL } from '../src/core/exec/docker/labels.js';
import { draftInput } from './helpers/agent-fixtures.js';
import { containersOfRun, dockerForTests } from './helpers/docker.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

let docker: Docker;
beforeAll(async () => {
  docker = await dockerForTests();
  await docker.getImage(AGENT_IMAGE).inspect();
});
afterAll(removeTempDirs);

/** Agent containers of a run: all of them, or only those running. */
async function agentContainers(runId: string, status?: 'running'): Promise<Docker.ContainerInfo[]> {
  const label = [`${LABEL.run}=${runId}`, `${LABEL.role}=${AGENT_ROLE}`];
  return docker.listContainers({ all: true, filters: status ? { label, status: [status] } : { label } });
}

function agent(command: string, overrides: Partial<ExecAgentOptions> = {}): ExecAgent {
  return new ExecAgent({
    command,
    timeoutMs: 120_000,
    budget: new LlmBudget({}),
    proxy: null,
    model: null,
    passEnv: [],
    sandbox: new DockerAgentSandbox(docker, { image: AGENT_IMAGE }),
    ...overrides,
  });
}

/** A node's task in a run folder of its own: the run id (the folder's name) labels the agent's container. */
async function task(overrides: Partial<ProposeInput> = {}): Promise<ProposeInput & { runId: string }> {
  const runDir = await tempDir('exec-docker');
  return { ...(await draftInput({ runDir, node: 2, ...overrides })), runId: runDir.split('/').pop()! };
}

const inWorkspace = (input: ProposeInput, file: string) => join(input.runDir, 'nodes', String(input.node), 'workspace', file);
const nodeFile = (input: ProposeInput, file: string) => join(input.runDir, 'nodes', String(input.node), file);

function envOf(dump: string): Record<string, string> {
  return Object.fromEntries(
    dump
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('the exec agent in a Docker sandbox', () => {
  it('takes back the script the container edited, with its note, logs and a plain environment', async () => {
    const input = await task();
    const environment = { PATH: process.env.PATH, HOME: '/root', SECRET_TOKEN: 'sk-live-harness-123', WANDB_MODE: 'offline' };
    const command = `sed -i 's/learning_rate = 6e-4/learning_rate = 0.003/' train_gpt.py && echo 'raised it' > notes.md && env > env.txt && echo out && echo err >&2`;
    const proposal = await agent(command, { passEnv: ['WANDB_MODE'], environment }).propose(input);
    expect(proposal).toMatchObject({ ok: true, note: 'raised it' });
    expect(proposal.ok && proposal.script).toContain('learning_rate = 0.003');
    expect(await readFile(nodeFile(input, 'agent-stdout.log'), 'utf8')).toBe('out\n');
    expect(await readFile(nodeFile(input, 'agent-stderr.log'), 'utf8')).toBe('err\n');

    const seen = envOf(await readFile(inWorkspace(input, 'env.txt'), 'utf8'));
    expect(seen).toMatchObject({ HOME: '/workspace/.home', SPEEDRUN_WORKSPACE: '/workspace', SPEEDRUN_NODE: '2', WANDB_MODE: 'offline', LANG: 'C.UTF-8' });
    expect(seen.PATH).toBe('/usr/local/bin:/usr/bin:/bin');
    // Nothing of the harness's own environment: not its secrets, not its PATH, not its HOME.
    expect(JSON.stringify(seen)).not.toMatch(/sk-live-harness-123|\/root/);
    expect(seen.OPENAI_BASE_URL).toBeUndefined();
    const allowed = new Set(['PATH', 'HOME', 'LANG', 'WANDB_MODE', 'SPEEDRUN_WORKSPACE', 'SPEEDRUN_NODE', 'HOSTNAME', 'PWD', 'SHLVL', '_']);
    // The image's own ENV is allowed too; it is ours, not the harness's.
    const image = await docker.getImage(AGENT_IMAGE).inspect();
    for (const entry of image.Config.Env ?? []) allowed.add(entry.slice(0, entry.indexOf('=')));
    expect(Object.keys(seen).filter((name) => !allowed.has(name))).toEqual([]);
    expect(await agentContainers(input.runId)).toEqual([]);
  }, 120_000);

  it('keeps the container inside its workspace: no root, no host folders, a read-only image', async () => {
    const input = await task();
    // A host folder anyone may write to: only the sandbox can keep the agent out of it.
    const outside = await tempDir('exec-docker-outside');
    await chmod(outside, 0o777);
    const probes = ['/etc/x', '/home/x', '/x', '/speedrun-escape', `${outside}/escaped`, '/tmp/scratch', '/workspace/.home/ok'];
    const command = `for f in ${probes.join(' ')}; do if touch "$f" 2>/dev/null; then echo "$f=written"; else echo "$f=denied"; fi; done > probes.txt; id -u > uid.txt`;
    const proposal = await agent(command).propose(input);
    expect(proposal.ok).toBe(true);
    const seen = envOf(await readFile(inWorkspace(input, 'probes.txt'), 'utf8'));
    expect(seen).toEqual({
      '/etc/x': 'denied',
      '/home/x': 'denied',
      '/x': 'denied',
      '/speedrun-escape': 'denied',
      // The host folder is not there at all; the container's own root is read-only, so nothing is made in its place.
      [`${outside}/escaped`]: 'denied',
      '/tmp/scratch': 'written',
      '/workspace/.home/ok': 'written',
    });
    expect((await readFile(inWorkspace(input, 'uid.txt'), 'utf8')).trim()).not.toBe('0');
    expect(existsSync(join(outside, 'escaped'))).toBe(false);
    expect(existsSync('/speedrun-escape')).toBe(false);
    expect(existsSync(inWorkspace(input, '.home/ok'))).toBe(true);

    // An agent that insists ends its node agent-failed, with the reason from its stderr.
    const failing = await agent('set -e; touch /etc/x').propose(await task());
    expect(failing).toMatchObject({ ok: false, status: 'agent-failed' });
    expect(!failing.ok && failing.message).toMatch(/exited with code 1; its stderr ends:\n.*\/etc\/x.*(Permission denied|Read-only file system)/);
  }, 120_000);

  it('has no network: a call out fails and the node ends agent-failed', async () => {
    const command = `python3 -c "import urllib.request; urllib.request.urlopen('http://1.1.1.1', timeout=3)"`;
    const proposal = await agent(command).propose(await task());
    expect(proposal).toMatchObject({ ok: false, status: 'agent-failed' });
    expect(!proposal.ok && proposal.message).toMatch(/exited with code 1; its stderr ends:[\s\S]*(unreachable|URLError)/);
  }, 120_000);

  it('kills a hanging agent at its timeout and leaves no container behind', async () => {
    const input = await task();
    const proposal = await agent('echo thinking >&2; exec sleep 600', { timeoutMs: 5_000 }).propose(input);
    expect(proposal).toMatchObject({ ok: false, status: 'agent-failed' });
    expect(!proposal.ok && proposal.message).toMatch(/did not finish within 5 s/);
    expect(await containersOfRun(docker, input.runId)).toEqual([]);
  }, 120_000);

  it('runs as a labelled, confined container that an abort removes', async () => {
    const controller = new AbortController();
    const input = await task({ signal: controller.signal });
    const proposing = agent('exec sleep 600').propose(input);
    // Wait for the container to run (no fixed sleep: the engine says when). A container merely listed as created
    // may not be inspectable yet.
    let listed: Docker.ContainerInfo[] = [];
    while (listed.length === 0) listed = await agentContainers(input.runId, 'running');
    const info = await docker.getContainer(listed[0]!.Id).inspect();
    expect(info.Config.Labels[LABEL.harnessPid]).toBe(String(process.pid));
    expect(info.Config.Labels[LABEL.node]).toBe('2');
    expect(info.HostConfig).toMatchObject({ NetworkMode: 'none', ReadonlyRootfs: true, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'] });
    expect(info.HostConfig.Memory).toBeGreaterThan(0);
    expect(info.HostConfig.PidsLimit).toBeGreaterThan(0);
    expect(info.Config.User).not.toMatch(/^0(:|$)/);
    expect(info.Mounts.filter((m) => m.RW).map((m) => m.Destination)).toEqual(['/workspace']);
    controller.abort();
    await expect(proposing).rejects.toThrow(/abort/i);
    expect(await containersOfRun(docker, input.runId)).toEqual([]);
  }, 120_000);

  it('leaves a container whose harness died to the next harness’s start-up cleanup', async () => {
    // A harness that has exited: its pid is no longer running.
    const dead = execa('true');
    await dead;
    const orphaned = await task();
    const leftBehind = agent('exec sleep 600', { sandbox: new DockerAgentSandbox(docker, { image: AGENT_IMAGE, harnessPid: dead.pid! }) }).propose(orphaned);
    let listed: Docker.ContainerInfo[] = [];
    while (listed.length === 0) listed = await agentContainers(orphaned.runId, 'running');
    expect(listed[0]!.Labels[LABEL.harnessPid]).toBe(String(dead.pid));
    // The next harness's first agent container comes after the cleanup, which takes the orphan away.
    expect(await agent('true').propose(await task())).toMatchObject({ ok: true });
    expect(await agentContainers(orphaned.runId)).toEqual([]);
    expect(await leftBehind).toMatchObject({ ok: false, status: 'agent-failed' });
  }, 120_000);

  it('reaches the model proxy on its Unix socket through 127.0.0.1 inside the container', async () => {
    const dir = await tempDir('exec-docker-proxy');
    const socketPath = join(dir, 'proxy.sock');
    const seen: { url?: string; auth?: string; body: string }[] = [];
    const server: Server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ url: req.url, auth: req.headers.authorization, body });
        // Streamed in two chunks, as a chat completion's SSE would be.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"object": "list", ');
        res.end(`"data": [{"id": "scripted", "n": ${seen.length}}]}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    // The per-run token guards the proxy, not the socket's mode: the container's user must be able to connect.
    await chmod(socketPath, 0o666);
    try {
      const proxy: AgentProxy = {
        url: 'http://127.0.0.1:1/v1',
        socketPath,
        token: 'run-token-1',
        attach: () => undefined,
        exhausted: null,
      };
      const client = [
        'import json, os, urllib.request',
        'base = os.environ["OPENAI_BASE_URL"]',
        'out = []',
        'for i in range(2):',
        '    req = urllib.request.Request(base + "/models", data=b"hello %d" % i, headers={"Authorization": "Bearer " + os.environ["OPENAI_API_KEY"]})',
        '    out.append(json.load(urllib.request.urlopen(req, timeout=30)))',
        'open("answers.json", "w").write(json.dumps({"base": base, "answers": out}))',
      ].join('\n');
      const input = await task();
      const proposal = await agent(`python3 -c '${client}'`, { proxy }).propose(input);
      expect(proposal).toMatchObject({ ok: true });
      const answers = JSON.parse(await readFile(inWorkspace(input, 'answers.json'), 'utf8'));
      expect(answers.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect(answers.answers.map((a: { data: { n: number }[] }) => a.data[0]!.n)).toEqual([1, 2]);
      expect(seen).toEqual([
        { url: '/v1/models', auth: 'Bearer run-token-1', body: 'hello 0' },
        { url: '/v1/models', auth: 'Bearer run-token-1', body: 'hello 1' },
      ]);

      // An image without python3 cannot run the forwarder: the node fails saying so, and the command never starts.
      const bare = new DockerAgentSandbox(docker, { image: 'debian:bookworm-slim' });
      const noPython = await agent('touch started', { proxy, sandbox: bare }).propose(input);
      expect(noPython).toMatchObject({ ok: false, status: 'agent-failed' });
      expect(!noPython.ok && noPython.message).toMatch(/exited with code 127; its stderr ends:\nspeedrun: the agent image has no python3/);
      expect(existsSync(inWorkspace(input, 'started'))).toBe(false);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(socketPath, { force: true });
    }
  }, 120_000);
});
