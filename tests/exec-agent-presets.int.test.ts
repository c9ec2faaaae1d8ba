import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qwenCode } from '../src/core/agent/exec/presets/qwen-code.js';
import { locateCli } from '../src/core/agent/exec/presets/locate-cli.js';
import { packageRoot } from '../src/core/paths.js';
import { speedrun } from './helpers/cli.js';
import { startLlmStub, STUB_MODEL, type StubReply, type StubRequest } from './helpers/llm-stub.js';
import { tinyScript } from './helpers/agent-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const REAL_KEY = 'sk-real-secret-4242-do-not-leak';
const RECORD2 = join(packageRoot, 'records', 'tiny', 'r02', 'train_gpt.py');
/** Installed once at the tested version and reused by later test runs (an npm install takes a while). */
const SHARED_CACHE = join(tmpdir(), 'speedrun-test-agents');

const npmMissing = await execa('npm', ['--version'], { reject: false }).then((r) => r.exitCode !== 0);
if (npmMissing) console.warn('exec-agent-presets: npm is not on PATH, so no coding CLI can be installed; skipping');

let qwen = '';
beforeAll(async () => {
  if (!npmMissing) qwen = await locateCli(qwenCode, { cacheRoot: SHARED_CACHE, env: process.env, log: () => undefined });
}, 600_000);

async function filesUnder(dir: string): Promise<Array<{ path: string; text: string }>> {
  const found: Array<{ path: string; text: string }> = [];
  for (const entry of await readdir(dir, { recursive: true })) {
    const path = join(dir, entry);
    if ((await stat(path)).isFile()) found.push({ path, text: (await readFile(path)).toString('latin1') });
  }
  return found;
}

interface ChatBody {
  messages: Array<{ role: string; content?: unknown }>;
  tools?: Array<{ function: { name: string } }>;
}

/**
 * The model's side of a coding CLI's session: asked with tools and no tool result yet, it calls the CLI's shell tool
 * to put record 2's script in place; once it has the tool's result it answers in text. Any side request of the CLI
 * (no tools) gets a short text.
 */
function scriptedModel(shellTool: string): (request: StubRequest) => StubReply {
  return (request) => {
    const body = request.body as ChatBody;
    const usage = { prompt_tokens: 1000, completion_tokens: 100 };
    if (!body.tools?.length) return { content: 'ok', usage };
    if (body.messages.some((m) => m.role === 'tool')) return { content: 'Replaced the script with the next record.', usage };
    const command = `cp '${RECORD2}' train_gpt.py && echo 'Applied the next record.' > notes.md`;
    return { content: '', tool_calls: [{ id: 'call_1', name: shellTool, arguments: JSON.stringify({ command, description: 'apply record 2' }) }], usage };
  };
}

describe.skipIf(npmMissing)('coding CLI presets', () => {
  it('qwen-code: the model plays the tool calls the CLI runs; its edit is trained and scored, its calls recorded, the real key nowhere', async () => {
    const stub = await startLlmStub([]);
    // Every request answers from the script; the queue never runs dry.
    const model = scriptedModel('run_shell_command');
    for (let i = 0; i < 50; i++) stub.enqueue(model);
    try {
      const dir = await tempDir('preset-qwen');
      await writeFile(
        join(dir, 'speedrun.config.yaml'),
        `models:\n  ${STUB_MODEL}:\n    base_url: ${stub.baseUrl}\n    prices: { input_per_million: 1, output_per_million: 2 }\n`,
      );
      const args = ['run', '--track', 'tiny', '--record', '1', '--agent', 'qwen-code', '--agent-cli', qwen, '--model', STUB_MODEL, '--agent-timeout', '300'];
      const ran = await speedrun([...args, '--config', join(dir, 'speedrun.config.yaml'), '--executor', 'sim', '--out', join(dir, 'results'), '--json'], {
        SPEEDRUN_CACHE: join(dir, 'cache'),
        OPENAI_API_KEY: REAL_KEY,
      });
      expect(ran.stderr).not.toContain(REAL_KEY);
      expect(ran.exitCode, ran.stderr).toBe(0);
      const summary = JSON.parse(ran.stdout);
      const nodeDir = join(summary.results_dir, 'nodes', '1');
      const result = JSON.parse(await readFile(join(nodeDir, 'result.json'), 'utf8'));
      expect(result, await readFile(join(nodeDir, 'agent-stderr.log'), 'utf8').catch(() => '')).toMatchObject({
        status: 'ok',
        note: 'Applied the next record.',
      });
      expect(summary.status).toBe('finished');
      expect(summary.fsr).toBeGreaterThanOrEqual(0.6);
      expect(await readFile(join(nodeDir, 'train_gpt.py'), 'utf8')).toBe(await tinyScript(2));

      // The CLI offered its shell tool, was told the task from the built-in agent's prompts, and reached the model through the proxy only.
      const chat = stub.chatRequests().map((r) => r.body as ChatBody);
      const withTools = chat.filter((b) => b.tools?.length);
      const offered = withTools[0]!.tools!.map((t) => t.function.name);
      expect(offered).toContain('run_shell_command');
      expect(offered).not.toContain('web_fetch');
      expect(JSON.stringify(withTools[0]!.messages)).toContain('Edit ./train_gpt.py in place');
      for (const request of stub.chatRequests()) expect(request.headers.authorization).toBe(`Bearer ${REAL_KEY}`);

      const calls = (await readFile(join(nodeDir, 'llm-calls.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(calls).toHaveLength(chat.length);
      for (const call of calls) expect(call).toMatchObject({ node: 1, usage: { prompt_tokens: 1000, completion_tokens: 100 } });
      expect(result.llm).toMatchObject({ llm_calls: chat.length });
      // The prompt and the CLI's configuration are kept with the node; the CLI's transcript is its stdout.
      expect(await readFile(join(nodeDir, 'workspace', 'prompt.md'), 'utf8')).toContain('./speedrun-tool train');
      expect(await readFile(join(nodeDir, 'agent-stdout.log'), 'utf8')).toContain('run_shell_command');
      const recorded = (await readdir(join(nodeDir, 'agent-home', '.qwen', 'projects'), { recursive: true })).filter((f) => f.endsWith('.jsonl'));
      expect(recorded).toHaveLength(1);
      const leaks = (await filesUnder(summary.results_dir)).filter((f) => f.text.includes(REAL_KEY)).map((f) => f.path);
      expect(leaks).toEqual([]);
    } finally {
      await stub.close();
    }
  }, 600_000);
});
