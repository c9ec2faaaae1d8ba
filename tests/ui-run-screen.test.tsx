import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { App } from '../src/ui/app.js';
import {
  FakeController,
  KEYS,
  RUN,
  llmCall,
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

/** The app started straight into a run (flags gave everything), at 80 columns. */
async function startedRun(columns = 80) {
  const controller = new FakeController();
  const app = await renderAt(<App controller={controller} initial={{ track: 'gpt2-124m', record: 1, agent: 'llm', model: 'gpt-small' }} autoStart />, columns);
  await until(() => expect(controller.callsTo('start')).toHaveLength(1));
  return { controller, app };
}

/** A baseline, a faster improvement (the best), and a node still training. */
async function runningTree(controller: FakeController, app: { lastFrame: () => string | undefined }) {
  controller.emit(
    runStarted(),
    nodeCreated(0, null, 'baseline'),
    nodeFinished(0, null, { time_to_target_ms: 100_000, val_loss_at_target: 3.279 }),
    nodeCreated(1, 0),
    nodeFinished(1, 0, { time_to_target_ms: 90_000, val_loss_at_target: 3.2712 }),
    llmCall(12_000, 3_000, 0.125),
    nodeCreated(2, 1),
    { type: 'edit-applied', run_id: RUN, node: 2, lines_added: 4, lines_removed: 2, duplicate_of: null, note: 'wider mlp' },
    metric(2, 30, 4.1, 30_000),
    metric(2, 60, 3.6, 60_000),
  );
  // The last event's mark: the frame has every event above.
  await until(() => expect(plainFrame(app)).toMatch(/#2 improve training 60\/100/));
}

describe('run screen', () => {
  it('shows the run as just started before any node exists', async () => {
    const { controller, app } = await startedRun();
    expect(controller.callsTo('start')[0]?.args[0]).toMatchObject({ track: 'gpt2-124m', record: 1, agent: 'llm', model: 'gpt-small' });
    controller.emit(runStarted());
    // The header names the track once the run has started (before: "starting…").
    await until(() => expect(plainFrame(app)).toContain('gpt2-124m #1'));
    const frame = plainFrame(app);
    expect(frame).toContain('gpt2-124m #1');
    expect(frame).toContain('llm/gpt-small');
    expect(frame).toContain('waiting for the first node');
  });

  it('lists the tree with the best node starred, the progress bar, tokens and cost, within 80 columns', async () => {
    const { controller, app } = await startedRun();
    await runningTree(controller, app);
    const frame = plainFrame(app);
    expect(frame).toMatch(/ #0 baseline ok 1\.67 min 3\.2790/);
    expect(frame).toMatch(/★\s+#1 improve ok 1\.50 min 3\.2712/);
    expect(frame).toMatch(/#2 improve training 60\/100/);
    expect(frame).toContain('[');
    expect(frame).toMatch(/#+-+\] 60\/100/);
    expect(frame).toContain('15.0k tok $0.125');
    expect(frame).toContain('FSR 0.500');
    expect(frame).toContain('#2 improve training +4 −2 · wider mlp');
    expect(widestLine(frame)).toBeLessThanOrEqual(80);
  });

  it('draws the selected node curve against the target line', async () => {
    const { controller, app } = await startedRun();
    await runningTree(controller, app);
    const frame = plainFrame(app);
    // Two points on the grid (lines with the axis), besides the legend's mark.
    expect(frame.match(/│[^\n]*•/g)?.length).toBe(2);
    expect(frame).toMatch(/─{10,}/);
    expect(frame).toContain('target 3.28');
  });

  it('shows a failing node with its status and error', async () => {
    const { controller, app } = await startedRun();
    await runningTree(controller, app);
    controller.emit(nodeFinished(2, 1, { status: 'crashed', time_to_target_ms: null, val_loss_at_target: null, error: 'script raised' }));
    await until(() => expect(plainFrame(app)).toContain('#2 improve crashed'));
    const frame = plainFrame(app);
    expect(frame).toContain('#2 improve crashed');
    expect(frame).toContain('script raised');
  });

  it("shows a rejected node's integrity findings in its detail", async () => {
    const { controller, app } = await startedRun(120);
    await runningTree(controller, app);
    const finding = { rule: 'val_tokens', severity: 'reject' as const, lines: [32], message: 'val_tokens changed', excerpt: ['32: val_tokens = 1024'] };
    controller.emit(
      nodeFinished(2, 1, {
        status: 'rejected',
        measured_by: 'integrity-check',
        time_to_target_ms: null,
        val_loss_at_target: null,
        error: 'rejected by the integrity check',
        integrity: { verdict: 'reject', baseline_sha256: 'abc', findings: [finding] },
      }),
    );
    await until(() => expect(plainFrame(app)).toContain('#2 improve rejected'));
    const frame = plainFrame(app);
    expect(frame).toContain('#2 improve rejected');
    expect(frame).toContain('integrity reject val_tokens (line 32): val_tokens changed');
  });

  it('shows an error event on the status line', async () => {
    const { controller, app } = await startedRun();
    controller.emit(runStarted(), { type: 'error', run_id: RUN, message: 'executor lost the GPU' });
    await until(() => expect(plainFrame(app)).toContain('error: executor lost the GPU'));
  });

  it('pauses with p, showing PAUSED in the header, and resumes with p again', async () => {
    const { controller, app } = await startedRun();
    await runningTree(controller, app);
    expect(plainFrame(app)).not.toContain('PAUSED');
    app.stdin.write('p');
    await until(() => expect(controller.callsTo('pause')).toHaveLength(1));
    await until(() => expect(plainFrame(app)).toContain('PAUSED'));
    app.stdin.write('p');
    await until(() => expect(controller.callsTo('resume')).toHaveLength(1));
    // Nothing else changes on resume: the header's first line ends again right after the seed (PAUSED sits there).
    await until(() => expect(plainFrame(app)).toMatch(/seed 7 +│/));
    expect(plainFrame(app)).not.toContain('PAUSED');
  });

  it('quits with q, leaving a resumable run and saying how to resume it', async () => {
    const { controller, app } = await startedRun();
    await runningTree(controller, app);
    app.stdin.write('q');
    // Quitting waits for the handle's quit().
    await until(() => expect(plainFrame(app)).toContain('stopped; resume with speedrun bench --resume /results/bench-1'));
    expect(controller.callsTo('quit')).toHaveLength(1);
  });

  it('edits the selected node with e after moving the selection up', async () => {
    const { controller, app } = await startedRun();
    await runningTree(controller, app);
    app.stdin.write(KEYS.up);
    // The pane's title (the end of its line; the tree's line for #1 goes on) follows the selection to #1.
    await until(() => expect(plainFrame(app)).toMatch(/#1 improve ok$/m));
    app.stdin.write('e');
    await until(() => expect(plainFrame(app)).toContain('your edit of #1 was submitted as a new node'));
    expect(controller.callsTo('editNode').map((c) => c.args[0])).toEqual([1]);
  });

  it('shows the diff with d and the log tail with l', async () => {
    const { controller, app } = await startedRun();
    await runningTree(controller, app);
    controller.emit({ type: 'log-line', run_id: RUN, node: 2, stream: 'stdout', line: 'step:60/100 val_loss:3.6000' });
    app.stdin.write('d');
    await until(() => expect(controller.callsTo('nodeFiles')[0]?.args).toEqual(['/results/bench-1/run-1', 2]));
    await until(() => expect(plainFrame(app)).toContain('+lr = 0.002'));
    app.stdin.write('l');
    await until(() => expect(plainFrame(app)).toContain('step:60/100 val_loss:3.6000'));
  });

  it('shows the FSR when the run finishes and opens the results with r', async () => {
    const { controller, app } = await startedRun();
    await runningTree(controller, app);
    controller.rows = [{ hint: 'L1', tasks: 1, runs: 1, scored: 1, mean_fsr: 0.5, success_rate: 1, buggy_share: 0, median_best_ms: 90_000 }];
    controller.emit({ type: 'run-finished', run_id: RUN, status: 'finished', fsr: 0.5, best: { node: 1, train_time_ms: 90_000, val_loss: 3.2712 } });
    await until(() => expect(plainFrame(app)).toContain('run finished · FSR 0.500 · r results'));
    app.stdin.write('r');
    await until(() => expect(controller.callsTo('results')[0]?.args).toEqual(['/results/bench-1']));
    await until(() => expect(plainFrame(app)).toMatch(/L1\s+1\s+1\s+0\.500\s+100%\s+0%\s+1\.50 min/));
    app.stdin.write('q');
    // The results screen has no status line: this is the run screen again.
    await until(() => expect(plainFrame(app)).toContain('run finished · FSR 0.500'));
  });

  it('gives the tree more room on a wide terminal', async () => {
    const { controller, app } = await startedRun(160);
    await runningTree(controller, app);
    const frame = plainFrame(app);
    expect(widestLine(frame)).toBeGreaterThan(100);
    expect(widestLine(frame)).toBeLessThanOrEqual(160);
  });
});
