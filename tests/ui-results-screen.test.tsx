import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { renderToString } from 'ink';
import { ResultsScreen } from '../src/ui/screens/results-screen.js';
import { RunScreen } from '../src/ui/screens/run-screen.js';
import { initialRunView, reduceRunView } from '../src/ui/state/run-view.js';
import { FakeController, nodeCreated, nodeFinished, plainFrame, renderAt, runStarted, until, widestLine } from './helpers/fake-controller.js';

afterEach(() => cleanup());

describe('results screen', () => {
  it('renders one row per hint with the report columns', async () => {
    const controller = new FakeController();
    controller.rows = [
      { hint: 'none', tasks: 2, runs: 4, scored: 4, mean_fsr: 0.125, success_rate: 0.25, buggy_share: 0.4, median_best_ms: 2_500_000 },
      { hint: 'L1+L2', tasks: 2, runs: 4, scored: 0, mean_fsr: null, success_rate: null, buggy_share: null, median_best_ms: null },
    ];
    let back = 0;
    const app = await renderAt(<ResultsScreen controller={controller} dir="/results/bench-9" onBack={() => back++} />);
    await until(() => expect(plainFrame(app)).toMatch(/hint\s+tasks\s+runs/));
    const frame = plainFrame(app);
    expect(frame).toContain('results · /results/bench-9');
    expect(frame).toMatch(/hint\s+tasks\s+runs\s+mean FSR\s+success\s+buggy\s+median best/);
    expect(frame).toMatch(/none\s+2\s+4\s+0\.125\s+25%\s+40%\s+41\.67 min/);
    expect(frame).toMatch(/L1\+L2\s+2\s+4\s+—\s+—\s+—\s+—/);
    expect(widestLine(frame)).toBeLessThanOrEqual(80);
    app.stdin.write('q');
    await until(() => expect(back).toBe(1));
  });

  it('shows the verified FSR beside the claimed one once runs were verified', async () => {
    const controller = new FakeController();
    controller.rows = [
      {
        hint: 'none',
        tasks: 1,
        runs: 2,
        scored: 2,
        mean_fsr: 0.6,
        success_rate: 0.5,
        buggy_share: 0.2,
        median_best_ms: 20_000,
        verified_runs: 2,
        mean_fsr_verified: 0.3,
      },
    ];
    const app = await renderAt(<ResultsScreen controller={controller} dir="/results/bench-9" onBack={() => {}} />);
    await until(() => expect(plainFrame(app)).toMatch(/hint\s+tasks\s+runs/));
    const frame = plainFrame(app);
    expect(frame).toMatch(/hint\s+tasks\s+runs\s+mean FSR\s+verified\s+success/);
    expect(frame).toMatch(/none\s+1\s+2\s+0\.600\s+0\.300\s+50%/);
    expect(widestLine(frame)).toBeLessThanOrEqual(80);
  });

  it('lists a damaged run with its file and reason below the table', async () => {
    const controller = new FakeController();
    controller.rows = [{ hint: 'none', tasks: 1, runs: 1, scored: 1, mean_fsr: 0.5, success_rate: 1, buggy_share: 0, median_best_ms: 20_000 }];
    controller.damaged = [{ dir: '/results/bench-9/none-r1-s1', file: 'nodes/1/result.json', reason: 'empty file' }];
    const app = await renderAt(<ResultsScreen controller={controller} dir="/results/bench-9" onBack={() => {}} />);
    await until(() => expect(plainFrame(app)).toContain('damaged, left out:'));
    const frame = plainFrame(app);
    expect(frame).toMatch(/none\s+1\s+1\s+0\.500/);
    expect(frame).toContain('damaged, left out: none-r1-s1: nodes/1/result.json: empty file');
  });

  it('says so when the folder has no finished runs', async () => {
    const controller = new FakeController();
    const app = await renderAt(<ResultsScreen controller={controller} dir="/results/empty" onBack={() => {}} />);
    await until(() => expect(plainFrame(app)).toContain('no finished runs in /results/empty yet'));
  });
});

describe('without a terminal', () => {
  it('renders the run screen without reading keys (no raw mode) instead of crashing', () => {
    const view = [runStarted(), nodeCreated(0, null, 'baseline'), nodeFinished(0, null)].reduce(
      (state, event) => reduceRunView(state, event, 0),
      initialRunView(),
    );
    const text = renderToString(
      <RunScreen controller={new FakeController()} handle={null} view={view} targetLoss={3.28} onResults={() => {}} onExit={() => {}} />,
      { columns: 80 },
    );
    expect(text).toContain('★ #0 baseline ok 1.67 min 3.2700');
  });
});
