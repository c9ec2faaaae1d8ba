/**
 * `--executor sim`: trains nothing. Each node "trains" for a time drawn from the task's record table (see
 * sim-training.ts), scaled by `timeScale` (0: at once), then its stdout.log holds the lines a real script of the
 * track would have printed. Everything after that (log parsing, timing rule, store, journal, events, resume) is
 * the real code, which makes the executor a tool for capacity planning and for tests at the paper's scale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrackManifest } from '../../catalog/schema.js';
import type { ExecPlan, ExecResult, ExecSpec, Executor } from '../types.js';
import { inFolder } from '../../fs-atomic.js';
import { simLogLines } from './sim-log.js';
import { simTraining } from './sim-training.js';

export interface SimExecutorOptions {
  manifest: TrackManifest;
  /** The task's baseline record: what a script that matches no rule trains like. */
  record: number;
  /** Real milliseconds waited per simulated millisecond (0: no wait; 0.001: a 3-minute record in 0.18 s). */
  timeScale: number;
}

/** How a simulated process is stopped, as a real one would report it. */
type Ending = 'done' | 'timeout' | 'aborted';

export class SimExecutor implements Executor {
  readonly name = 'sim';
  // Lines are handed over after the wait, not as they are "printed": their arrival times measure nothing.
  readonly liveLines = false;

  constructor(private readonly opts: SimExecutorOptions) {}

  async describe(spec: ExecSpec): Promise<ExecPlan> {
    return {
      command: ['(simulated)', spec.scriptPath],
      env: {},
      mounts: [],
      details: [`no process is started: the training time comes from track ${this.opts.manifest.track}'s record table, scaled by ${this.opts.timeScale}`],
    };
  }

  async run(spec: ExecSpec): Promise<ExecResult> {
    const stdoutPath = join(spec.workDir, 'stdout.log');
    const stderrPath = join(spec.workDir, 'stderr.log');
    const script = readFileSync(spec.scriptPath, 'utf8');
    // Seeded by where the training sits in its run (run id, then nodes/<n> or scoring/<repeat>), not by the absolute
    // folder: the same bench simulated in another folder, or killed and resumed, draws the same times.
    const training = simTraining(this.opts.manifest, this.opts.record, script, spec.workDir.split(/[\\/]/).slice(-3).join('/'));
    // The simulated timeout is on the simulated clock, so a scale of 0 still times out what a real run would.
    const cutMs = Math.min(training.timeMs, spec.timeoutMs);
    const ending = await this.wait(cutMs * this.opts.timeScale, spec.signal, cutMs < training.timeMs);
    const ranMs = ending === 'aborted' ? 0 : cutMs;
    // A crash dies half-way through its log; a stopped run keeps the lines it had printed by then.
    const fraction = ending !== 'done' ? Math.min(ranMs / training.timeMs, 0.99) : training.crash ? 0.5 : 1;
    const stdout = simLogLines(training.timeMs, this.opts.manifest.target_val_loss, fraction);
    const stderr = [`simulated: trains like ${training.like}, ${training.timeMs} ms`];
    if (training.crash && ending === 'done') stderr.push('RuntimeError: simulated crash (# speedrun-sim: crash)');
    inFolder(spec.workDir, () => writeFileSync(stdoutPath, lines(stdout)));
    writeFileSync(stderrPath, lines(stderr));
    for (const line of stdout) spec.onLine?.('stdout', line);
    for (const line of stderr) spec.onLine?.('stderr', line);
    return {
      exitCode: ending === 'done' ? (training.crash ? 1 : 0) : null,
      signal: ending === 'timeout' ? 'SIGKILL' : ending === 'aborted' ? 'SIGTERM' : null,
      timedOut: ending === 'timeout',
      aborted: ending === 'aborted',
      // The simulated machine's wall clock, so the clock cross-check compares like with like.
      wallMs: ranMs,
      stdoutPath,
      stderrPath,
      stderrTail: stderr.join('\n'),
    };
  }

  /** Waits `realMs` (at least a turn of the event loop, so other runs move on), or until the signal aborts. */
  private wait(realMs: number, signal: AbortSignal | undefined, timesOut: boolean): Promise<Ending> {
    if (signal?.aborted) return Promise.resolve('aborted');
    return new Promise((resolve) => {
      const finish = (ending: Ending) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(ending);
      };
      const onAbort = () => finish('aborted');
      const timer = setTimeout(() => finish(timesOut ? 'timeout' : 'done'), realMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function lines(list: string[]): string {
  return list.length ? `${list.join('\n')}\n` : '';
}
