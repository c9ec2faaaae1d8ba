import { loadTrack, parseTrackName } from '../core/catalog/catalog.js';
import { composeHint, parseHintSpec } from '../core/catalog/hints.js';
import { loadCalibration } from '../core/calibrate/calibration-file.js';
import { trackEnvironment } from '../core/data/track-env.js';
import { LocalExecutor } from '../core/exec/local.js';
import type { Executor } from '../core/exec/types.js';
import { UserError } from '../core/errors.js';
import { runTask } from '../core/search/run-task.js';
import { taskTimes } from '../core/search/task-times.js';
import type { RunSummary } from '../core/store/schema.js';
import type { EventSink } from '../core/events.js';
import type { PythonWithTorch } from '../core/exec/python.js';
import type { CliContext } from './context.js';
import type { PreparedAgent } from './agent-setup.js';
import { describeHardware } from './hardware.js';

export interface RunOptions {
  track: string;
  record: number;
  hint: string;
  agent: PreparedAgent;
  /** How many nodes the agent writes (default 1). */
  maxNodes?: number;
  executor: string;
  out: string;
  timeoutMs?: number;
}

export function makeExecutor(name: string): Executor {
  if (name === 'local') return new LocalExecutor();
  throw new UserError(`executor '${name}' is not available in this version`, 'use --executor local');
}

/** Everything `speedrun run` does after flags are parsed; the demo calls it too. */
export async function runOne(ctx: CliContext, opts: RunOptions, python: PythonWithTorch, signal: AbortSignal, emit?: EventSink): Promise<RunSummary> {
  const manifest = await loadTrack(parseTrackName(opts.track));
  const cache = ctx.cache();
  const executor = makeExecutor(opts.executor);
  const levels = parseHintSpec(opts.hint);
  const hintText = await composeHint({ track: manifest.track, record: opts.record, levels, cache });
  const trackEnv = await trackEnvironment(manifest, cache, { signal, log: ctx.log });
  const calibration = await loadCalibration(cache.calibration(manifest.track));
  const times = taskTimes(manifest, opts.record, calibration);
  return runTask({
    manifest,
    record: opts.record,
    hintSpec: opts.hint,
    hintText,
    agent: opts.agent.agent,
    model: opts.agent.model,
    budget: opts.agent.budget,
    maxNodes: opts.maxNodes,
    executor,
    python,
    hardware: describeHardware(manifest, python),
    cache,
    resultsRoot: opts.out,
    trackEnv,
    times,
    timeoutMs: opts.timeoutMs,
    signal,
    emit,
  });
}
