import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LlmBudget } from '../src/core/agent/budget.js';
import { ExecAgent, type ExecAgentOptions } from '../src/core/agent/exec/exec-agent.js';
import { draftInput } from './helpers/agent-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

function agent(command: string, overrides: Partial<ExecAgentOptions> = {}): ExecAgent {
  return new ExecAgent({ command, timeoutMs: 30_000, budget: new LlmBudget({ max_calls: 5 }), proxy: null, model: null, passEnv: [], ...overrides });
}

async function input() {
  return draftInput({ runDir: await tempDir('exec-agent-run'), node: 3, nodesLeft: 7 });
}

const workspace = (runDir: string, node: number, file: string) => join(runDir, 'nodes', String(node), 'workspace', file);

describe('the exec agent', () => {
  it('gives the command the task in its workspace and takes back its edited script and notes', async () => {
    const task = await input();
    const proposal = await agent(`sed -i 's/learning_rate = 6e-4/learning_rate = 0.003/' train_gpt.py && echo 'raised the learning rate' > notes.md`).propose(
      task,
    );
    expect(proposal).toMatchObject({ ok: true, note: 'raised the learning rate' });
    if (!proposal.ok) throw new Error('unreachable');
    expect(proposal.script).toContain('learning_rate = 0.003');
    expect(proposal.script).not.toBe(task.parentScript);
    const written = JSON.parse(await readFile(workspace(task.runDir, 3, 'task.json'), 'utf8'));
    expect(written).toMatchObject({ protocol: 1, track: 'tiny', record: 1, node: 3, operator: 'draft', parent: 0, hint_level: 'L1' });
    expect(written.budget).toEqual({ llm_calls_left: 5, tokens_left: null, dollars_left: null, nodes_left: 7 });
    // The next record's time is not revealed unless the run says so.
    expect(written.target_time_ms).toBeNull();
    expect(await readFile(workspace(task.runDir, 3, 'hint.md'), 'utf8')).toBe(task.hint);
    const history = JSON.parse(await readFile(workspace(task.runDir, 3, 'history.json'), 'utf8'));
    expect(history.nodes.map((n: { node: number; status: string }) => [n.node, n.status])).toEqual([[0, 'ok']]);
  });

  it('scores an unchanged script as the parent’s', async () => {
    const task = await input();
    expect(await agent('true').propose(task)).toEqual({ ok: true, script: task.parentScript, note: 'left the script unchanged' });
  });

  it('ends the node agent-failed with the stderr tail when the command fails, hangs or deletes the script', async () => {
    const crash = await agent(`echo 'Traceback: no idea' >&2; exit 3`).propose(await input());
    expect(crash).toMatchObject({ ok: false, status: 'agent-failed' });
    expect(!crash.ok && crash.message).toMatch(/exited with code 3; its stderr ends:\nTraceback: no idea/);

    const hang = await agent(`echo started >&2; exec sleep 600`, { timeoutMs: 300 }).propose(await input());
    expect(hang).toMatchObject({ ok: false, status: 'agent-failed' });
    expect(!hang.ok && hang.message).toMatch(/did not finish within 0.3 s; its stderr ends:\nstarted/);

    const deleted = await agent('rm train_gpt.py').propose(await input());
    expect(deleted).toMatchObject({ ok: false, status: 'agent-failed' });
    expect(!deleted.ok && deleted.message).toMatch(/left no train_gpt.py/);
  });

  it('gives a plain environment: nothing of the harness’s own but the variables named', async () => {
    const task = await input();
    const environment = { PATH: process.env.PATH, HOME: '/root', SECRET_TOKEN: 'sk-live-123', WANDB_MODE: 'offline' };
    const proposal = await agent('env > seen-env.txt', { passEnv: ['WANDB_MODE'], environment }).propose(task);
    expect(proposal.ok).toBe(true);
    const seen = Object.fromEntries(
      (await readFile(workspace(task.runDir, 3, 'seen-env.txt'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(seen.SECRET_TOKEN).toBeUndefined();
    expect(seen.WANDB_MODE).toBe('offline');
    expect(seen.HOME).toBe(join(task.runDir, 'nodes', '3', 'workspace', '.home'));
    expect(seen.SPEEDRUN_WORKSPACE).toBe(join(task.runDir, 'nodes', '3', 'workspace'));
    expect(seen.SPEEDRUN_NODE).toBe('3');
    // Without a model proxy there is no endpoint to call.
    expect(seen.OPENAI_API_KEY).toBeUndefined();
  });

  it('stops the command when the run is aborted', async () => {
    const controller = new AbortController();
    const proposing = agent('touch started; exec sleep 600').propose(
      await draftInput({ runDir: await tempDir('exec-agent-abort'), signal: controller.signal }),
    );
    setImmediate(() => controller.abort());
    await expect(proposing).rejects.toThrow(/abort/i);
  });
});
