// Overlap of LLM work and training: while one node trains, the agent already writes the next. A stub LLM answers
// each call after 3 s with a script that "trains" for 3 s (a real Python process printing upstream-format lines).
// The engine's flat search over 4 drafts on one slot is timed against the same work done strictly in turn, in one
// run, and both are reported as ratios to (sum of training times + one LLM call): the floor the overlap can reach.
// The stub answers whole (not streamed) completions; streaming is the client's business, not the overlap's.
// BENCH_SMOKE=1: 2 drafts of 0.3 s each.
import { createServer } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmAgent } from '../dist/core/agent/llm-agent.js';
import { LlmBudget } from '../dist/core/agent/budget.js';
import { editFormat } from '../dist/core/agent/edits/index.js';
import { OpenAiChatClient } from '../dist/core/agent/llm/openai-client.js';
import { ModelProfile } from '../dist/core/agent/llm/model-profile.js';
import { loadPromptSet } from '../dist/core/agent/prompts.js';
import { loadTrack } from '../dist/core/catalog/catalog.js';
import { LocalExecutor } from '../dist/core/exec/local.js';
import { findPythonWithTorch } from '../dist/core/exec/python.js';
import { SlotPool } from '../dist/core/exec/slot-pool.js';
import { cacheLayout } from '../dist/core/paths.js';
import { runSearch } from '../dist/core/search/run-engine.js';
import { makeScaffold } from '../dist/core/search/scaffolds/index.js';
import { executeNode } from '../dist/core/train/execute-node.js';
import { report, size } from './bench-mode.mjs';

const LLM_S = size(3, 0.3);
const TRAIN_S = size(3, 0.3);
const NODES = size(4, 2);

let served = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const n = ++served;
    const script = [
      `# draft ${n}`,
      'import time',
      `time.sleep(${TRAIN_S})`,
      'print("step:0/10 val_loss:3.0000 train_time:0ms step_avg:nanms", flush=True)',
      `print("step:10/10 val_loss:1.8500 train_time:${20000 - n}ms step_avg:1.00ms", flush=True)`,
    ].join('\n');
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `c${n}`,
          object: 'chat.completion',
          created: 0,
          model: 'stub',
          choices: [{ index: 0, message: { role: 'assistant', content: `Draft ${n}.\n\n\`\`\`python\n${script}\n\`\`\`` }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 100, completion_tokens: 50 },
        }),
      );
    }, LLM_S * 1000);
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${server.address().port}/v1`;

const model = { ...ModelProfile.parse({ base_url: baseUrl, api_key_env: null, edit_format: 'whole', stream: false }), name: 'stub', model: 'stub' };
const prompts = await loadPromptSet();
const makeAgent = () =>
  new LlmAgent({ name: 'llm', client: new OpenAiChatClient(model, null), model, editFormat: editFormat('whole'), prompts, budget: new LlmBudget() });
const manifest = await loadTrack('tiny');
const python = await findPythonWithTorch(undefined);
const dir = await mkdtemp(join(tmpdir(), 'speedrun-overlap-'));
const times = { baselineMs: 36000, targetMs: 21900, from: 'record-table' };
// Node 0 from the record table (no re-timing: the baseline would train record 1 for real), and no integrity audit
// (it would reject the stub's scripts, which are not edits of record 1): the search itself is what is timed.
const common = {
  manifest,
  record: 1,
  hintSpec: 'none',
  hintText: '',
  model: 'stub',
  budget: {},
  seed: 1,
  executor: new LocalExecutor(),
  python,
  hardware: 'bench',
  cache: cacheLayout(join(dir, 'cache')),
  trackData: { env: {}, dirs: [] },
  times,
  retime: { mode: 'none', repeats: 1 },
  checkScript: null,
};

// 1. The engine: flat, NODES drafts, one slot.
let started = performance.now();
const summary = await runSearch({
  ...common,
  runId: 'overlap',
  runDir: join(dir, 'overlap'),
  agent: makeAgent(),
  scaffold: makeScaffold('flat', { nodes: NODES }),
  slots: new SlotPool(1),
});
const overlappedS = (performance.now() - started) / 1000;
if (summary.nodes !== NODES + 1) throw new Error(`expected ${NODES} nodes, got ${summary.nodes - 1}`);
if (summary.best?.node === 0) throw new Error(`no draft trained (${summary.status}): see ${join(dir, 'overlap')}`);

// 2. The same work in turn: propose, train, propose, train, ...
const agent = makeAgent();
const parentScript = '# baseline\n';
started = performance.now();
let trainS = 0;
for (let node = 1; node <= NODES; node++) {
  const proposal = await agent.propose({
    manifest,
    record: 1,
    node,
    operator: 'draft',
    parent: { result: { node: 0 }, note: null, analysis: null },
    parentScript,
    history: [],
    parentLogTail: null,
    hint: '',
    hardware: 'bench',
    times,
    timeoutMs: 60000,
  });
  if (!proposal.ok) throw new Error(`draft ${node}: the agent wrote no script: ${proposal.message}`);
  const workDir = join(dir, 'sequential', String(node));
  await mkdir(workDir, { recursive: true });
  await writeFile(join(workDir, 'train_gpt.py'), proposal.script);
  const result = await executeNode({
    runId: 'seq',
    node,
    parent: 0,
    operator: 'draft',
    scriptPath: join(workDir, 'train_gpt.py'),
    scriptSha256: String(node),
    workDir,
    executor: new LocalExecutor(),
    launch: { runner: 'python', nproc: 1, timeoutMs: 60000, python: python.python, env: {}, readOnlyDirs: [] },
    timing: { rule: 'first-crossing', target: 1.9 },
  });
  if (result.status !== 'ok') throw new Error(`draft ${node} trained with status ${result.status}: ${result.stderr_tail}`);
  trainS += result.wall_ms / 1000;
}
const sequentialS = (performance.now() - started) / 1000;
server.close();
await rm(dir, { recursive: true, force: true });

const floorS = trainS + LLM_S;
console.log(`flat scaffold, ${NODES} drafts, 1 slot, LLM ${LLM_S} s per call, training ≈ ${TRAIN_S} s per node`);
console.log(`floor (sum of training times + one LLM call): ${floorS.toFixed(1)} s`);
console.log(`engine (overlapped):  ${overlappedS.toFixed(1)} s   ratio ${(overlappedS / floorS).toFixed(2)}   (target ≤ 1.30)`);
console.log(`in turn (sequential): ${sequentialS.toFixed(1)} s   ratio ${(sequentialS / floorS).toFixed(2)}`);
console.log(`speedup of the overlap: ${(sequentialS / overlappedS).toFixed(2)}×`);
report(
  'overlap',
  {
    nodes: NODES,
    llm_s: LLM_S,
    train_s: TRAIN_S,
    floor_s: floorS,
    overlapped_s: overlappedS,
    sequential_s: sequentialS,
    ratio: overlappedS / floorS,
    speedup: sequentialS / overlappedS,
  },
  overlappedS / floorS <= 1.3,
);
