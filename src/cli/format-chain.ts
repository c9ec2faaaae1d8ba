import type { ChainStepEntry } from '../core/events.js';
import { formatTime } from '../core/format-time.js';
import { formatFsr } from '../core/score/fsr.js';
import { describeChainStart } from '../core/report/chains.js';
import { formatTable } from './format.js';

/** The chain's steps: task, start script and its own time, the step's best and its FSR against the task's records. */
export function formatChainTable(steps: readonly ChainStepEntry[]): string {
  return formatTable(
    ['step', 'task', 'start', 'start time', 't_i', 't_i+1', 'best', 'time', 'FSR', 'status'],
    steps.map((s) => [
      String(s.step),
      `${s.track} ${s.record} → ${s.record + 1}`,
      describeChainStart(s.step, s.record, s.start),
      formatTime(s.start_ms),
      formatTime(s.baseline_ms),
      formatTime(s.target_ms),
      s.best ? `node ${s.best.node}` : '—',
      formatTime(s.best?.train_time_ms),
      formatFsr(s.fsr),
      s.status,
    ]),
  );
}
