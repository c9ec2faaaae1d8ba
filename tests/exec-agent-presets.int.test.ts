import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliPreset } from '../src/core/agent/exec/presets/cli-preset.js';
import { codex } from '../src/core/agent/exec/presets/codex.js';
import { locateCli } from '../src/core/agent/exec/presets/locate-cli.js';
import { qwenCode } from '../src/core/agent/exec/presets/qwen-code.js';
import { packageRoot } from '../src/core/paths.js';
import { speedrun } from './helpers/cli.js';
import { startLlmStub, STUB_MODEL, type StubReply, type StubRequest } from './helpers/llm-stub.js';
import { tinyScript } from './helpers/agent-fixtures.js';
import { benchFinished, killAndResumeBench, outcomes } from './helpers/bench-kill.js';
import { dockerForTests } from './helpers/docker.js';
import { filesContaining } from './helpers/files.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const REAL_KEY = 'sk-real-secret-4242-do-not-leak';
const RECORD2 = join(packageRoot, 'records', 'tiny', 'r02', 'train_gpt.py');
/** The CLIs are installed once at their tested versions and reused by later test runs (an npm install takes a while). */
const SHARED_CACHE = join(tmpdir(), 'speedrun-test-agents');

const npmMissing = await execa('npm', ['--version'], { reject: false }).then((r) => r.exitCode !== 0);
if (npmMissing) console.warn('exec-agent-presets: npm is not on PATH, so no coding CLI can be installed; skipping');

const record2Base64 = (await readFile(RECORD2)).toString('base64');

const installed = new Map<string, string>();
beforeAll(async () => {
  if (npmMissing) return;
  for (const preset of [qwenCode, codex])
    installed.set(preset.name, await locateCli(preset, { cacheRoot: SHARED_CACHE, env: process.env, log: () => undefined }));
}, 600_000);

interface ChatBody {
  messages: Array<{ role: string; content?: unknown }>;
  tools?: Array<{ function: { name: string } }>;
}

/** Each CLI's shell tool (as the proxy forwards it, a chat function) and how it takes its command. */
const SHELL_TOOLS: Record<string, { name: string; args: (command: string) => object }> = {
  'qwen-code': { name: 'run_shell_command', args: (command) => ({ command, description: 'apply record 2' }) },
  codex: { name: 'exec_command', args: (cmd) => ({ cmd }) },
};

/**
 * The model's side of a coding CLI's session: asked with tools and no tool result yet, it calls the CLI's shell tool
 * to put record 2's script in place; once it has the tool's result it answers in text. A side request of the CLI
 * (no tools) gets a short text.
 */
function scriptedModel(shell: { name: string; args: (command: string) => object }): (request: StubRequest) => StubReply {
  // The script travels in the command itself, so it applies wherever the CLI runs, in a container too.
  const command = `echo ${record2Base64} | base64 -d > train_gpt.py && echo 'Applied the next record.' > notes.md`;
  return (request) => {
    const body = request.body as ChatBody;
    const usage = { prompt_tokens: 1000, completion_tokens: 100 };
    if (!body.tools?.length) return { content: 'ok', usage };
    if (body.messages.some((m) => m.role === 'tool')) return { content: 'Replaced the script with the next record.', usage };
    return { content: '', tool_calls: [{ id: 'call_1', name: shell.name, arguments: JSON.stringify(shell.args(command)) }], usage };
  };
}

describe.skipIf(npmMissing)('coding CLI presets', () => {
  // Locally on the simulated executor (scored), and in the agent's container with real trainings of a few steps
  // in the training container (--smoke: the CLI's edit is what is checked there, not its speed).
  it.each([
    { preset: qwenCode, executor: 'sim' },
    { preset: codex, executor: 'sim' },
    { preset: qwenCode, executor: 'docker' },
    { preset: codex, executor: 'docker' },
  ])(
    '$preset.name on $executor: the model plays the tool calls the CLI runs; its edit is trained, its calls recorded, the real key nowhere',
    async ({ preset, executor }: { preset: CliPreset; executor: string }) => {
      const inDocker = executor === 'docker';
      if (inDocker) await dockerForTests();
      const shell = SHELL_TOOLS[preset.name]!;
      const stub = await startLlmStub([]);
      // Every request answers from the script; the queue never runs dry.
      for (let i = 0; i < 50; i++) stub.enqueue(scriptedModel(shell));
      try {
        const dir = await tempDir(`preset-${preset.name}`);
        const profile = `models:\n  ${STUB_MODEL}:\n    base_url: ${stub.baseUrl}\n    prices: { input_per_million: 1, output_per_million: 2 }\n`;
        await writeFile(join(dir, 'speedrun.config.yaml'), profile);
        const args = ['run', '--track', 'tiny', '--record', '1', '--agent', preset.name, '--agent-cli', installed.get(preset.name)!, '--model', STUB_MODEL];
        const ran = await speedrun(
          [
            ...args,
            '--agent-timeout',
            '300',
            '--config',
            join(dir, 'speedrun.config.yaml'),
            '--executor',
            executor,
            ...(inDocker ? ['--smoke', '3'] : []),
            '--out',
            join(dir, 'results'),
            '--json',
          ],
          { SPEEDRUN_CACHE: join(dir, 'cache'), OPENAI_API_KEY: REAL_KEY },
        );
        expect(ran.stderr).not.toContain(REAL_KEY);
        expect(ran.exitCode, ran.stderr).toBe(0);
        const summary = JSON.parse(ran.stdout);
        const nodeDir = join(summary.results_dir, 'nodes', '1');
        const result = JSON.parse(await readFile(join(nodeDir, 'result.json'), 'utf8'));
        const stderr = await readFile(join(nodeDir, 'agent-stderr.log'), 'utf8').catch(() => '');
        expect(summary.status).toBe('finished');
        if (inDocker) {
          // Three steps miss the target: the node ran fine and is not scored. The CLI ran in the agent's container.
          expect(result, stderr).toMatchObject({ status: 'missed-target', measured_by: 'executed', note: 'Applied the next record.' });
          const run = JSON.parse(await readFile(join(summary.results_dir, 'run.json'), 'utf8'));
          expect(run.config.agent_config.sandbox).toMatch(/^docker /);
        } else {
          expect(result, stderr).toMatchObject({ status: 'ok', note: 'Applied the next record.' });
          expect(summary.fsr).toBeGreaterThanOrEqual(0.6);
        }
        expect(await readFile(join(nodeDir, 'train_gpt.py'), 'utf8')).toBe(await tinyScript(2));

        // The CLI offered its shell tool and no web tool, was told the task with the workspace's instructions, and
        // reached the model through the proxy only (which sent the real key upstream).
        const chat = stub.chatRequests();
        const withTools = chat.map((r) => r.body as ChatBody).filter((b) => b.tools?.length);
        const offered = withTools[0]!.tools!.map((t) => t.function.name);
        expect(offered).toContain(shell.name);
        expect(offered.filter((name) => /web/.test(name))).toEqual([]);
        expect(JSON.stringify(withTools[0]!.messages)).toContain('Edit ./train_gpt.py in place');
        for (const request of chat) expect(request.headers.authorization).toBe(`Bearer ${REAL_KEY}`);

        const calls = (await readFile(join(nodeDir, 'llm-calls.jsonl'), 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        expect(calls).toHaveLength(chat.length);
        for (const call of calls) expect(call).toMatchObject({ node: 1, usage: { prompt_tokens: 1000, completion_tokens: 100 }, cost_usd: 0.0012 });
        expect(result.llm).toMatchObject({ llm_calls: chat.length });

        // The prompt and the CLI's own transcript are kept with the node, beside its stdout (its events as JSON lines).
        expect(await readFile(join(nodeDir, 'workspace', 'prompt.md'), 'utf8')).toContain('./speedrun-tool train');
        expect(await readFile(join(nodeDir, 'agent-stdout.log'), 'utf8')).toContain(shell.name === 'exec_command' ? 'command_execution' : shell.name);
        const home = join(nodeDir, 'workspace', '.home');
        const transcripts = (await readdir(home, { recursive: true })).filter((f) => /(chats|sessions)\/.*\.jsonl$/.test(f));
        expect(transcripts).toHaveLength(1);
        const leaks = await filesContaining(summary.results_dir, REAL_KEY);
        expect(leaks).toEqual([]);
      } finally {
        await stub.close();
      }
    },
    600_000,
  );

  it('a preset in a bench file: its model and CLI from the entry, its edit trained and scored', async () => {
    const stub = await startLlmStub([]);
    for (let i = 0; i < 50; i++) stub.enqueue(scriptedModel(SHELL_TOOLS['qwen-code']!));
    try {
      const dir = await tempDir('preset-bench');
      await writeFile(join(dir, 'speedrun.config.yaml'), `models:\n  ${STUB_MODEL}:\n    base_url: ${stub.baseUrl}\n`);
      const agent = { name: 'qwen-code', model: STUB_MODEL, cli: installed.get('qwen-code'), timeout_s: 300 };
      const spec = { tracks: ['tiny'], records: [1], agents: [agent], nodes: 1, executor: 'sim' };
      await writeFile(join(dir, 'bench.yaml'), JSON.stringify(spec));
      const ran = await speedrun(['bench', join(dir, 'bench.yaml'), '--config', join(dir, 'speedrun.config.yaml'), '--out', join(dir, 'bench'), '--json'], {
        SPEEDRUN_CACHE: join(dir, 'cache'),
        OPENAI_API_KEY: REAL_KEY,
      });
      expect(ran.exitCode, ran.stderr).toBe(0);
      const last = JSON.parse(ran.stdout.trim().split('\n').at(-1)!);
      expect(last).toMatchObject({ type: 'bench-finished', runs: [{ status: 'finished', agent: `qwen-code:${STUB_MODEL}`, best: { node: 1 } }] });
      expect(last.runs[0].fsr).toBeGreaterThanOrEqual(0.6);
    } finally {
      await stub.close();
    }
  }, 600_000);

  it('a bench mixing llm, exec and a preset, killed -9 while the CLI works, resumes to the results of a bench that was not killed', async () => {
    const stub = await startLlmStub([]);
    for (let i = 0; i < 100; i++) stub.enqueue(scriptedModel(SHELL_TOOLS['qwen-code']!));
    try {
      const root = await tempDir('preset-mixed');
      const config = join(root, 'speedrun.config.yaml');
      await writeFile(config, `models:\n  ${STUB_MODEL}:\n    base_url: ${stub.baseUrl}\n`);
      const spec = {
        tracks: ['tiny'],
        records: [1],
        agents: [
          { name: 'llm', model: 'sim/a' },
          { name: 'exec', cmd: `cp '${RECORD2}' train_gpt.py && echo 'the next record' > notes.md` },
          { name: 'qwen-code', model: STUB_MODEL, cli: installed.get('qwen-code'), timeout_s: 300 },
        ],
        scaffolds: ['flat'],
        nodes: 2,
        executor: 'sim',
      };
      await writeFile(join(root, 'mixed.yaml'), JSON.stringify(spec));
      // Simulated trainings take a hundredth of their time, so the bench is still running when it is killed.
      const env = { SPEEDRUN_CACHE: join(root, 'cache'), SPEEDRUN_SIM_TIME_SCALE: '0.01', OPENAI_API_KEY: REAL_KEY };
      const plain = await speedrun(['bench', join(root, 'mixed.yaml'), '--config', config, '--out', join(root, 'plain'), '--json'], env);
      expect(plain.exitCode, plain.stderr).toBe(0);
      const reference = benchFinished(plain.stdout)!;
      expect(reference.map((r) => r.status)).toEqual(['finished', 'finished', 'finished']);

      const out = join(root, 'killed');
      // Killed while the CLI is at work: its first model call is on record, its tool call not yet run.
      const killAt = /"type":"llm-call","run_id":"[^"]*qwen-code/;
      const runs = await killAndResumeBench(join(root, 'mixed.yaml'), env, out, { options: ['--config', config], killAt });
      expect(outcomes(runs)).toEqual(outcomes(reference));
      const presetRun = runs.find((r) => r.run_id.includes('qwen-code'))!;
      const node1 = JSON.parse(await readFile(join(out, presetRun.run_id, 'nodes', '1', 'result.json'), 'utf8'));
      expect(node1).toMatchObject({ status: 'ok', note: 'Applied the next record.' });
    } finally {
      await stub.close();
    }
  }, 900_000);
});
