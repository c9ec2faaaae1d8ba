import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../src/ui/app.js';
import { AgentOutput } from '../src/ui/components/agent-output.js';
import {
  FakeController,
  KEYS,
  RUN,
  llmCall,
  llmDelta,
  metric,
  nodeCreated,
  nodeFinished,
  plainFrame,
  renderAt,
  runStarted,
  until,
  widestLine,
} from './helpers/fake-controller.js';

afterEach(() => cleanup());

async function startedRun(columns = 80) {
  const controller = new FakeController();
  const app = await renderAt(<App controller={controller} initial={{ track: 'gpt2-124m', record: 1, agent: 'llm', model: 'gpt-small' }} autoStart />, columns);
  await until(() => expect(controller.callsTo('start')).toHaveLength(1));
  controller.emit(runStarted(), nodeCreated(0, null, 'baseline'), nodeFinished(0, null, { time_to_target_ms: 100_000 }), nodeCreated(1, 0));
  await until(() => expect(plainFrame(app)).toContain('#1 improve writing [agent]'));
  return { controller, app };
}

describe("the agent's streaming answer in the run screen", () => {
  it('shows by itself for a node the agent is writing, grows as pieces arrive, and fits 80 columns', async () => {
    const { controller, app } = await startedRun();
    expect(plainFrame(app)).toContain('waiting for the agent to start writing');
    controller.emit(llmDelta(1, 'I raise the learning rate.\n<<<<<<< SEARCH\n'));
    await until(() => expect(plainFrame(app)).toContain('the agent is writing (propose)'));
    expect(plainFrame(app)).toContain('I raise the learning rate.');
    controller.emit(llmDelta(1, 'lr = 0.001\n=======\nlr = 0.0015\n>>>>>>> REPLACE'));
    await until(() => expect(plainFrame(app)).toContain('>>>>>>> REPLACE'));
    const frame = plainFrame(app);
    expect(frame).toContain('#1 improve writing [agent]');
    expect(frame).toContain('lr = 0.0015');
    expect(frame).toContain('>>>>>>> REPLACE');
    expect(widestLine(frame)).toBeLessThanOrEqual(80);
  });

  it('drops the void text of a retried call and shows only the new attempt', async () => {
    const { controller, app } = await startedRun();
    controller.emit(llmDelta(1, 'first attempt that broke off'), llmDelta(1, '', { restart: true }), llmDelta(1, 'second attempt'));
    await until(() => expect(plainFrame(app)).toContain('second attempt'));
    expect(plainFrame(app)).not.toContain('first attempt');
  });

  it('goes back to the curve once the node trains, and toggles with a', async () => {
    const { controller, app } = await startedRun();
    controller.emit(llmDelta(1, 'streamed words'), llmCall(100, 20, null));
    controller.emit(
      { type: 'edit-applied', run_id: RUN, node: 1, lines_added: 1, lines_removed: 1, duplicate_of: null, note: 'raise lr' },
      metric(1, 50, 3.9, 50_000),
    );
    // The step count, shown once the metric is in: the frame that must have dropped the streamed words.
    await until(() => expect(plainFrame(app)).toMatch(/50\/100/));
    expect(plainFrame(app)).not.toContain('streamed words');
    expect(plainFrame(app)).toMatch(/50\/100/);
    app.stdin.write('a');
    await until(() => expect(plainFrame(app)).toContain('#1 improve training [agent]'));
    expect(plainFrame(app)).toContain('the agent is not writing for');
    app.stdin.write('a');
    // The pane's title without the [agent] mark: back to the curve.
    await until(() => expect(plainFrame(app)).toContain('#1 improve training +1 −1 · raise lr'));
    expect(plainFrame(app)).not.toContain('[agent]');
  });

  it('lists a in the help overlay', async () => {
    const { app } = await startedRun();
    app.stdin.write('?');
    await until(() => expect(plainFrame(app)).toMatch(/a\s+the agent's answer as it writes it/));
    app.stdin.write(KEYS.escape);
  });
});

describe('AgentOutput', () => {
  it('wraps long lines to the pane and follows the end of a long answer', () => {
    const content = `${'word '.repeat(30)}\n${Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n')}`;
    const { lastFrame } = render(<AgentOutput live={{ purpose: 'propose', content, reasoning: '' }} writing width={40} height={10} scrollBack={0} />);
    const frame = plainFrame({ lastFrame });
    expect(frame).toContain('line 29');
    expect(frame).not.toContain('line 20');
    expect(widestLine(frame)).toBeLessThanOrEqual(40);
  });

  it('shows the reasoning before the answer, and scrolls back on request', () => {
    const live = { purpose: 'propose', content: 'the answer', reasoning: 'first I think' };
    const all = plainFrame(render(<AgentOutput live={live} writing width={40} height={10} scrollBack={0} />));
    expect(all.indexOf('first I think')).toBeLessThan(all.indexOf('the answer'));
    expect(all.indexOf('first I think')).toBeGreaterThan(-1);
    const content = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
    const back = plainFrame(render(<AgentOutput live={{ purpose: 'propose', content, reasoning: '' }} writing width={40} height={6} scrollBack={10} />));
    expect(back).toContain('line 19');
    expect(back).not.toContain('line 29');
  });
});
