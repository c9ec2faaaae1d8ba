import type { ReactElement } from 'react';
import { expect, vi } from 'vitest';
import { render } from 'ink-testing-library';
import type { SpeedrunEvent } from '../../src/core/events.js';
import type { DamagedRun } from '../../src/core/store/damaged-run.js';
import type { NodeResult, RunSummary } from '../../src/core/store/schema.js';
import type { CurvePoint, HintRow, NodeFiles, ResultsListing, RunHandle, SetupCatalog, SetupChoices, TuiController } from '../../src/ui/controller.js';

/** A TuiController for screen tests: records every call and lets the test emit the run's events. */

export const CATALOG: SetupCatalog = {
  tracks: [
    {
      name: 'gpt2-124m',
      title: 'GPT-2 124M on FineWeb',
      target_val_loss: 3.28,
      records: [
        { number: 1, description: 'llm.c baseline', time_ms: 2_700_000, hasTask: true },
        { number: 2, description: 'tuned learning rate', time_ms: 1_860_000, hasTask: true },
        { number: 3, description: 'latest record', time_ms: 1_500_000, hasTask: false },
      ],
    },
    {
      name: 'tiny',
      title: 'Tiny CPU track',
      target_val_loss: 4.5,
      records: [
        { number: 1, description: 'tiny baseline', time_ms: 30_000, hasTask: true },
        { number: 2, description: 'tiny next', time_ms: 20_000, hasTask: false },
      ],
    },
  ],
  hints: ['none', 'L1', 'L2', 'L3'],
  agents: ['reference', 'null', 'llm', 'replay'],
  scaffolds: ['aide', 'best-first', 'mcts'],
  executors: ['local', 'docker', 'slurm'],
  models: ['gpt-small', 'claude-big'],
};

export interface Call {
  method: string;
  args: unknown[];
}

export class FakeHandle implements RunHandle {
  benchDir = '/results/bench-1';
  runDir = '/results/bench-1/run-1';
  paused = false;
  editResult = true;
  private resolveDone!: (summary: RunSummary) => void;
  done: Promise<RunSummary> = new Promise((resolve) => {
    this.resolveDone = resolve;
  });

  constructor(private readonly calls: Call[]) {}

  pause(): void {
    this.calls.push({ method: 'pause', args: [] });
    this.paused = true;
  }
  resume(): void {
    this.calls.push({ method: 'resume', args: [] });
    this.paused = false;
  }
  async quit(): Promise<void> {
    this.calls.push({ method: 'quit', args: [] });
  }
  async editNode(node: number): Promise<boolean> {
    this.calls.push({ method: 'editNode', args: [node] });
    return this.editResult;
  }
  finish(summary: RunSummary): void {
    this.resolveDone(summary);
  }
}

export class FakeController implements TuiController {
  readonly calls: Call[] = [];
  readonly handle = new FakeHandle(this.calls);
  catalogValue: SetupCatalog = CATALOG;
  last: Partial<SetupChoices> = {};
  files: NodeFiles = { diff: '--- a/train.py\n+++ b/train.py\n@@ -1,2 +1,2 @@\n-lr = 0.001\n+lr = 0.002\n', logTail: 'step 10 val_loss 4.0\n' };
  curve: CurvePoint[] | null = null;
  rows: HintRow[] = [];
  damaged: DamagedRun[] = [];
  hintText = 'Use a higher learning rate with warmup.';
  private sink: ((event: SpeedrunEvent) => void) | null = null;

  callsTo(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Sends events as the core would, through the callback given to start(). */
  emit(...events: SpeedrunEvent[]): void {
    if (!this.sink) throw new Error('emit before start(): the UI has not started a run');
    for (const event of events) this.sink(event);
  }

  async catalog(): Promise<SetupCatalog> {
    return this.catalogValue;
  }
  async hintPreview(track: string, record: number, hint: string): Promise<string> {
    this.calls.push({ method: 'hintPreview', args: [track, record, hint] });
    return `${hint} for ${track} #${record}: ${this.hintText}`;
  }
  async lastChoices(): Promise<Partial<SetupChoices>> {
    return this.last;
  }
  async saveChoices(choices: SetupChoices): Promise<void> {
    this.calls.push({ method: 'saveChoices', args: [choices] });
  }
  async start(choices: SetupChoices, onEvent: (event: SpeedrunEvent) => void): Promise<RunHandle> {
    this.calls.push({ method: 'start', args: [choices] });
    this.sink = onEvent;
    return this.handle;
  }
  async nodeFiles(runDir: string, node: number): Promise<NodeFiles> {
    this.calls.push({ method: 'nodeFiles', args: [runDir, node] });
    return this.files;
  }
  async recordCurve(track: string, record: number): Promise<CurvePoint[] | null> {
    this.calls.push({ method: 'recordCurve', args: [track, record] });
    return this.curve;
  }
  async results(dir: string): Promise<ResultsListing> {
    this.calls.push({ method: 'results', args: [dir] });
    return { rows: this.rows, damaged: this.damaged };
  }
}

/** Event builders with the fields the tests do not care about filled in. */
export const RUN = 'run-1';

export function runStarted(overrides: Partial<Extract<SpeedrunEvent, { type: 'run-started' | 'run-resumed' }>> = {}): SpeedrunEvent {
  return {
    type: 'run-started',
    run_id: RUN,
    track: 'gpt2-124m',
    record: 1,
    hint: 'L1',
    agent: 'llm',
    scaffold: 'aide',
    seed: 7,
    baseline_ms: 100_000,
    target_ms: 80_000,
    results_dir: '/results/bench-1/run-1',
    ...overrides,
  };
}

export function nodeCreated(node: number, parent: number | null, operator: NodeResult['operator'] = 'improve', by: 'agent' | 'human' = 'agent'): SpeedrunEvent {
  return { type: 'node-created', run_id: RUN, node, parent, second_parent: null, operator, by };
}

export function nodeResult(node: number, parent: number | null, overrides: Partial<NodeResult> = {}): NodeResult {
  return {
    node,
    parent,
    operator: parent === null ? 'baseline' : 'improve',
    second_parent: null,
    status: 'ok',
    measured_by: 'executed',
    duplicate_of: null,
    script_sha256: null,
    note: null,
    error: null,
    llm: null,
    time_to_target_ms: 100_000,
    val_loss_at_target: 3.27,
    final: null,
    wall_ms: null,
    exit_code: 0,
    stderr_tail: '',
    warnings: [],
    integrity: null,
    ...overrides,
  };
}

export function nodeFinished(node: number, parent: number | null, overrides: Partial<NodeResult> = {}): SpeedrunEvent {
  return { type: 'node-finished', run_id: RUN, node, result: nodeResult(node, parent, overrides) };
}

export function metric(node: number, step: number, valLoss: number, trainTimeMs: number | null, totalSteps: number | null = 100): SpeedrunEvent {
  return { type: 'metric', run_id: RUN, node, step, total_steps: totalSteps, val_loss: valLoss, train_time_ms: trainTimeMs };
}

export function llmCall(promptTokens: number, completionTokens: number, costUsd: number | null): SpeedrunEvent {
  return {
    type: 'llm-call',
    run_id: RUN,
    node: 1,
    purpose: 'propose',
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    cost_usd: costUsd,
    latency_ms: 10,
    error: null,
  };
}

/** A piece of a node's streaming answer. */
export function llmDelta(node: number, text: string, overrides: Partial<Extract<SpeedrunEvent, { type: 'llm-delta' }>> = {}): SpeedrunEvent {
  return { type: 'llm-delta', run_id: RUN, node, purpose: 'propose', part: 'content', text, restart: false, ...overrides };
}

/**
 * One turn of the event loop: every pending promise callback runs, and so do the effects React scheduled after its
 * last render (ink subscribes a screen's key handler there, closing over that render's state). Not a timed pause.
 * A key written right after a frame was drawn, without this, can reach the handler of the frame before.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Generous, because the machine may be busy: a wait that succeeds returns as soon as its condition holds. */
const WAIT = { timeout: 5000, interval: 10 };

/**
 * Waits until `assertion` stops throwing (a frame shows something, the controller got a call), then lets the render's
 * effects run (settle), so that a key written next reaches the screen as the test just saw it. Fails with the
 * assertion's own message when the condition never holds. Wait for what the action changes: a condition already true
 * before it returns at once.
 */
export async function until<T>(assertion: () => T): Promise<T> {
  const result = await vi.waitFor(assertion, WAIT);
  await settle();
  return result;
}

export const KEYS = { up: '\u001B[A', down: '\u001B[B', right: '\u001B[C', left: '\u001B[D', enter: '\r', escape: '\u001B' };

/**
 * Renders at a given terminal width (ink-testing-library's stdout says 100 columns): the width is set on the fake
 * stdout and a resize announced, which is what a real terminal does.
 */
export async function renderAt(tree: ReactElement, columns = 80) {
  const instance = render(tree);
  Object.defineProperty(instance.stdout, 'columns', { get: () => columns, configurable: true });
  instance.stdout.emit('resize');
  // The first frame, drawn at the new width; waiting for it also lets the mount's effects run (loading, key handlers).
  await until(() => expect(instance.lastFrame()).toBeDefined());
  return instance;
}

/** The last frame without colour codes, for text assertions. */
export function plainFrame(instance: { lastFrame: () => string | undefined }): string {
  return (instance.lastFrame() ?? '').replace(/\u001B\[[0-9;]*m/g, '');
}

/** Widest line of a frame in characters: the layout must stay within the terminal. */
export function widestLine(frame: string): number {
  return Math.max(0, ...frame.split('\n').map((line) => [...line].length));
}
