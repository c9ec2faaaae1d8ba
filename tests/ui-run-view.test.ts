import { describe, expect, it } from 'vitest';
import type { SpeedrunEvent } from '../src/core/events.js';
import { LIVE_CHARS_KEPT, LOG_LINES_KEPT, initialRunView, reduceRunView, treeOrder, type RunViewState } from '../src/ui/state/run-view.js';
import { plotLoss } from '../src/ui/state/loss-plot.js';
import { RUN, llmCall, llmDelta, metric, nodeCreated, nodeFinished, runStarted } from './helpers/fake-controller.js';

function replay(events: SpeedrunEvent[], start: RunViewState = initialRunView('gpt-small')): RunViewState {
  return events.reduce((state, event) => reduceRunView(state, event, 5_000), start);
}

describe('run view reducer', () => {
  it('takes the header from run-started and the clock reading it arrived at', () => {
    const view = replay([runStarted()]);
    expect(view).toMatchObject({
      track: 'gpt2-124m',
      record: 1,
      hint: 'L1',
      agent: 'llm',
      model: 'gpt-small',
      scaffold: 'aide',
      seed: 7,
      baselineMs: 100_000,
      targetMs: 80_000,
      startedAtMs: 5_000,
      resumed: false,
    });
    expect(replay([runStarted({ type: 'run-resumed' })]).resumed).toBe(true);
  });

  it('moves a node from writing to training to its result status', () => {
    let view = replay([runStarted(), nodeCreated(1, null, 'draft')]);
    expect(view.nodes[1]?.status).toBe('writing');
    view = reduceRunView(view, { type: 'edit-applied', run_id: RUN, node: 1, lines_added: 3, lines_removed: 1, duplicate_of: null, note: 'raise lr' });
    expect(view.nodes[1]).toMatchObject({ status: 'training', linesAdded: 3, linesRemoved: 1, note: 'raise lr' });
    view = reduceRunView(view, nodeFinished(1, null, { status: 'crashed', time_to_target_ms: null, val_loss_at_target: null }));
    expect(view.nodes[1]?.status).toBe('crashed');
    expect(view.bestNode).toBeNull();
  });

  it('counts the baseline as the best until a faster ok node arrives, and computes FSR from it', () => {
    let view = replay([runStarted(), nodeCreated(0, null, 'baseline'), nodeFinished(0, null, { time_to_target_ms: 100_000 })]);
    expect(view.bestNode).toBe(0);
    expect(view.fsr).toBe(0);
    view = replay([nodeCreated(1, 0), nodeFinished(1, 0, { time_to_target_ms: 120_000 })], view);
    expect(view.bestNode).toBe(0);
    view = replay([nodeCreated(2, 0), nodeFinished(2, 0, { time_to_target_ms: 90_000 })], view);
    expect(view.bestNode).toBe(2);
    expect(view.bestMs).toBe(90_000);
    expect(view.fsr).toBeCloseTo(0.5);
    // A node that missed the target is never the best, however fast its clock.
    view = replay([nodeCreated(3, 2), nodeFinished(3, 2, { status: 'missed-target', time_to_target_ms: 10_000 })], view);
    expect(view.bestNode).toBe(2);
    // Nor is a flagged one, as in the run's own score; a flag that is the next record's own change does not count.
    const audit = (byRecord: boolean) => ({
      verdict: 'flag' as const,
      baseline_sha256: 'b',
      findings: [{ rule: 'file_io', severity: 'flag' as const, lines: [1], message: 'm', excerpt: [], ...(byRecord && { by_record: true }) }],
    });
    view = replay([nodeCreated(4, 2), nodeFinished(4, 2, { time_to_target_ms: 80_000, integrity: audit(false) })], view);
    expect(view.bestNode).toBe(2);
    view = replay([nodeCreated(5, 2), nodeFinished(5, 2, { time_to_target_ms: 85_000, integrity: audit(true) })], view);
    expect(view.bestNode).toBe(5);
  });

  it('with re-timing, scores nodes so far by their speedup over node 0 as the run measured it, and counts the scoring round', () => {
    // t_i 100 s and t_i+1 80 s from the record table; this machine is slower: record i took 200 s here.
    let view = replay([
      runStarted({ retime: 'both', timing_rule: 'first-crossing', target_val_loss: 1.9 }),
      nodeCreated(0, null, 'baseline'),
      nodeFinished(0, null, { time_to_target_ms: 200_000 }),
    ]);
    expect(view).toMatchObject({ retime: 'both', timingRule: 'first-crossing', targetValLoss: 1.9, fsr: 0 });
    view = replay([nodeCreated(1, 0), nodeFinished(1, 0, { time_to_target_ms: 180_000 })], view);
    // 10% faster than record i here: t* = 90 s against the table's t_i, FSR 0.5 (not 0, as 180 s against 100 s would say).
    expect(view.bestNode).toBe(1);
    expect(view.fsr).toBeCloseTo(0.5);
    view = replay([{ type: 'scoring-started', run_id: RUN, best_node: 1, retime: 'both', repeats: 2 }], view);
    expect(view.scoring).toEqual({ done: 0, total: 6 });
    const repeat = {
      type: 'scoring-repeat',
      run_id: RUN,
      of: 2,
      script: 'baseline',
      repeat: 1,
      dir: 'scoring/baseline-r1',
      started_at: 'a',
      ended_at: 'b',
      status: 'ok',
      time_ms: 1,
      final_val_loss: 1,
      wall_ms: 1,
    } as const;
    expect(replay([repeat, repeat], view).scoring).toEqual({ done: 2, total: 6 });
  });

  it('lets a baseline timed by calibration (no time of its own) count with t_i', () => {
    const view = replay([runStarted(), nodeCreated(0, null, 'baseline'), nodeFinished(0, null, { time_to_target_ms: null })]);
    expect(view.bestNode).toBe(0);
    expect(view.bestMs).toBe(100_000);
  });

  it('sums tokens and known costs over llm calls', () => {
    const view = replay([runStarted(), llmCall(1000, 200, null), llmCall(500, 100, 0.25), llmCall(10, 5, 0.5)]);
    expect(view.llmCalls).toBe(3);
    expect(view.promptTokens + view.completionTokens).toBe(1815);
    expect(view.costUsd).toBeCloseTo(0.75);
    expect(replay([llmCall(1, 1, null)]).costUsd).toBeNull();
  });

  it('keeps curve points and progress of the training node, and forgets the progress when it finishes', () => {
    let view = replay([runStarted(), nodeCreated(1, null), metric(1, 10, 5.0, 1_000, 50), metric(1, 20, 4.0, 2_000, 50)]);
    expect(view.trainingNode).toBe(1);
    expect(view.nodes[1]).toMatchObject({ status: 'training', step: 20, totalSteps: 50, valLoss: 4.0 });
    expect(view.nodes[1]?.curve).toHaveLength(2);
    view = reduceRunView(view, nodeFinished(1, null));
    expect(view.trainingNode).toBeNull();
  });

  it('keeps only the last log lines of a node', () => {
    const lines: SpeedrunEvent[] = Array.from({ length: LOG_LINES_KEPT + 50 }, (_, i) => ({
      type: 'log-line',
      run_id: RUN,
      node: 1,
      stream: 'stdout',
      line: `line ${i}`,
    }));
    const view = replay([runStarted(), nodeCreated(1, null), ...lines]);
    expect(view.nodes[1]?.logs).toHaveLength(LOG_LINES_KEPT);
    expect(view.nodes[1]?.logs.at(-1)).toBe(`line ${LOG_LINES_KEPT + 49}`);
    expect(view.nodes[1]?.logs[0]).toBe('line 50');
  });

  it('records the last error and the finished summary', () => {
    const view = replay([
      runStarted(),
      { type: 'error', node: 2, message: 'CUDA out of memory' },
      { type: 'run-finished', run_id: RUN, status: 'finished', fsr: 0.42, best: { node: 2, train_time_ms: 91_600, val_loss: 3.27 } },
    ]);
    expect(view.lastError).toBe('#2: CUDA out of memory');
    expect(view.finished).toEqual({ status: 'finished', fsr: 0.42, best: { node: 2, train_time_ms: 91_600, val_loss: 3.27 } });
    expect(view.fsr).toBe(0.42);
  });

  it('orders the tree depth-first with children indented under their parent', () => {
    const view = replay([runStarted(), nodeCreated(0, null, 'baseline'), nodeCreated(1, 0), nodeCreated(2, 0), nodeCreated(3, 1)]);
    expect(treeOrder(view)).toEqual([
      { id: 0, depth: 0 },
      { id: 1, depth: 1 },
      { id: 3, depth: 2 },
      { id: 2, depth: 1 },
    ]);
  });
});

describe('loss plot', () => {
  it('draws the node, the record and the target line within the width', () => {
    const node = [
      { step: 10, val_loss: 4.0, train_time_ms: 10_000 },
      { step: 20, val_loss: 3.2, train_time_ms: 20_000 },
    ];
    const record = [{ step: 20, val_loss: 3.5, train_time_ms: 15_000 }];
    const lines = plotLoss({ node, record, targetLoss: 3.28, width: 44, height: 8 });
    expect(lines).toHaveLength(9);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(44);
    const text = lines.join('\n');
    expect(text.match(/•/g)).toHaveLength(2);
    expect(text).toContain('·');
    expect(lines.some((l) => l.includes('─'.repeat(20)))).toBe(true);
    expect(lines.at(-1)).toContain('20.0 s');
  });

  it('draws nothing when there is no point yet', () => {
    expect(plotLoss({ node: [], record: null, targetLoss: 3.28, width: 40, height: 6 })).toEqual([]);
  });
});

describe('the live answer of a node', () => {
  const writing = () => replay([runStarted(), nodeCreated(1, 0), nodeCreated(2, 0)]);

  it('gathers the pieces of the call streaming for that node only, reasoning apart from the answer', () => {
    const view = replay([llmDelta(1, 'thinking ', { part: 'reasoning' }), llmDelta(1, 'Raise '), llmDelta(2, 'other'), llmDelta(1, 'the lr.')], writing());
    expect(view.nodes[1]?.live).toEqual({ purpose: 'propose', content: 'Raise the lr.', reasoning: 'thinking ' });
    expect(view.nodes[2]?.live).toEqual({ purpose: 'propose', content: 'other', reasoning: '' });
  });

  it('starts over on a restart and on a new call, and clears when the call ends or the node finishes', () => {
    let view = replay([llmDelta(1, 'partial'), llmDelta(1, '', { restart: true }), llmDelta(1, 'again')], writing());
    expect(view.nodes[1]?.live?.content).toBe('again');
    view = replay([llmDelta(1, 'fix it', { purpose: 'edit-retry' })], view);
    expect(view.nodes[1]?.live).toEqual({ purpose: 'edit-retry', content: 'fix it', reasoning: '' });
    view = replay([llmDelta(2, 'kept'), llmCall(10, 5, null)], view);
    expect(view.nodes[1]?.live).toBeNull();
    expect(view.nodes[2]?.live?.content).toBe('kept');
    expect(view.llmCalls).toBe(1);
    view = replay([nodeFinished(2, 0, { status: 'aborted' })], view);
    expect(view.nodes[2]?.live).toBeNull();
  });

  it('keeps only the last LIVE_CHARS_KEPT characters of a long answer', () => {
    const piece = 'x'.repeat(1000);
    let view = writing();
    for (let i = 0; i < 20; i++) view = reduceRunView(view, llmDelta(1, i === 19 ? `${piece}END` : piece));
    const content = view.nodes[1]?.live?.content ?? '';
    expect(content).toHaveLength(LIVE_CHARS_KEPT);
    expect(content.endsWith('END')).toBe(true);
  });
});
