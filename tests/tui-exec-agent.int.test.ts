import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BIN } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import { startTmux, type TmuxSession } from './helpers/tmux.js';

afterAll(removeTempDirs);

let session: TmuxSession | undefined;
afterEach(async () => {
  await session?.kill();
  session = undefined;
});

/** An exec agent that streams one chat completion through the run's proxy and keeps the answer as its note. */
const STREAMING_AGENT = `import json, os, urllib.request
body = {"model": "stub-model", "stream": True, "messages": [{"role": "user", "content": "ideas?"}]}
request = urllib.request.Request(os.environ["OPENAI_BASE_URL"] + "/chat/completions", data=json.dumps(body).encode(),
    headers={"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["OPENAI_API_KEY"]})
text = ""
with urllib.request.urlopen(request) as response:
    for line in response:
        line = line.decode().strip()
        if line.startswith("data: ") and line != "data: [DONE]":
            for choice in json.loads(line[6:]).get("choices", []):
                text += choice.get("delta", {}).get("content") or ""
open("notes.md", "w").write(text)
`;

function chunk(res: ServerResponse, content: string): void {
  res.write(
    `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'stub-model', choices: [{ index: 0, delta: { content } }] })}\n\n`,
  );
}

/**
 * A model that streams the first half of its answer, then holds the stream open until the test has seen that half
 * on the screen: what the TUI shows while the agent's call is still in flight.
 */
async function heldStreamModel(): Promise<{ baseUrl: string; release: () => void; close: () => Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'stub-model', object: 'model' }] }));
      return;
    }
    req.resume();
    req.on('end', async () => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      chunk(res, 'STREAMED alpha bravo charlie');
      await released;
      chunk(res, ' delta echo');
      res.write(
        `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'stub-model', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    release,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// The real binary in a real terminal (tmux): an exec agent chosen on the setup screen, its model traffic live.
describe('the terminal UI with an exec agent', () => {
  it('takes the command on the setup screen and shows the model answer as the agent streams it', { timeout: 300_000 }, async () => {
    const model = await heldStreamModel();
    try {
      const dir = await tempDir('tui-exec');
      await writeFile(join(dir, 'agent.py'), STREAMING_AGENT);
      await writeFile(join(dir, 'speedrun.config.yaml'), `models:\n  stub-model:\n    base_url: ${model.baseUrl}\n`);
      const env = { SPEEDRUN_CACHE: join(dir, 'cache'), OPENAI_API_KEY: 'sk-test' };
      const flags = '--track tiny --record 1 --agent exec --model stub-model --nodes 1 --executor sim --config speedrun.config.yaml';
      session = await startTmux(`node ${BIN} tui ${flags}`, { columns: 120, rows: 36, env, cwd: dir });
      // The command field is there for exec, empty: enter says what is missing instead of starting.
      const setup = await session.waitFor(/enter start/, 30_000);
      expect(setup).toMatch(/command\s+.*\(type the command/);
      expect(setup).toMatch(/model\s+.*stub-model/);
      await session.keys('Enter');
      await session.waitFor(/the exec agent needs a command/, 10_000);
      // Down to the command field (track, record, hint, agent, command) and type it.
      await session.keys('Down', 'Down', 'Down', 'Down');
      // The command runs in each node's workspace: the agent's file by its full path.
      await session.keys(`python3 ${join(dir, 'agent.py')}`);
      await session.waitFor(/command\s+.*python3 \S*agent\.py/, 10_000);
      await session.keys('Enter');
      // The first half of the answer is on screen while the model still holds the call open.
      await session.waitFor(/STREAMED alpha bravo charlie/, 60_000);
      model.release();
      const done = await session.waitFor(/run finished/, 120_000);
      expect(done).toMatch(/#1 draft/);
      // The call is on record under the node, and the agent got the whole answer.
      const [bench] = (await readdir(join(dir, 'results'))).filter((d) => d.startsWith('tui-'));
      const [run] = (await readdir(join(dir, 'results', bench!))).filter((d) => !d.endsWith('.json'));
      const node1 = join(dir, 'results', bench!, run!, 'nodes', '1');
      expect((await readFile(join(node1, 'llm-calls.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(1);
      expect(await readFile(join(node1, 'workspace', 'notes.md'), 'utf8')).toBe('STREAMED alpha bravo charlie delta echo');
    } finally {
      model.release();
      await model.close();
    }
  });
});
