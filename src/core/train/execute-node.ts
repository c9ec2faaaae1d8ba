import type { Executor, ExecResult } from '../exec/types.js';
import { nodeJobSpec, type Launch } from '../exec/node-job.js';
import type { SlotPool } from '../exec/slot-pool.js';
import type { Timing } from '../catalog/task-timing.js';
import type { EventSink } from '../events.js';
import { LogParser, type ParsedLog } from '../measure/log-parser.js';
import { timeToTarget } from '../measure/time-to-target.js';
import { checkClock } from '../measure/clock-check.js';
import { harnessAudit } from '../measure/integrity-report.js';
import { StepClock } from '../measure/step-clock.js';
import { StepPaceClock } from '../measure/step-pace.js';
import { nodeResult } from '../store/node-result.js';
import { placeBesideScript } from '../data/record-kernels.js';
import type { NodeResult, NodeStatus } from '../store/schema.js';

export interface ExecuteNodeInput {
  runId: string;
  node: number;
  parent: number | null;
  second_parent?: number | null;
  operator: NodeResult['operator'];
  scriptPath: string;
  scriptSha256: string;
  workDir: string;
  executor: Executor;
  launch: Launch;
  /** The GPUs of the slot the node trains in. */
  gpus?: readonly number[];
  /** The target and the track's rule for reading the time from the log. */
  timing: Timing;
  /** The harness's clock for line arrivals (ms); injected so tests need not wait. */
  clock?: () => number;
  /** The date of the training's start and end, kept with its result. */
  now?: () => Date;
  signal?: AbortSignal;
  emit?: EventSink;
}

/** Trains one node while holding a slot of the pool, on that slot's GPUs: searches, scoring rounds and verification alike. */
export function executeInSlot(slots: SlotPool, input: Omit<ExecuteNodeInput, 'gpus'>): Promise<NodeResult> {
  return slots.with((slot) => executeNode({ ...input, gpus: slot.gpus }), input.signal);
}

/**
 * Trains one node and turns what happened into a NodeResult. The metric comes only from the deterministic
 * log parser, fed line by line as the script prints, so a live view and the final result agree.
 */
export async function executeNode(input: ExecuteNodeInput): Promise<NodeResult> {
  const { runId, node, emit } = input;
  const parser = new LogParser();
  // Arrival times mean something only where lines reach us as they are printed (not read back from a file later).
  const clock = input.clock ?? (() => performance.now());
  const stepClock = input.executor.liveLines ? new StepClock(clock) : null;
  const pace = input.executor.liveLines ? new StepPaceClock(clock) : null;
  const now = input.now ?? (() => new Date());
  // Every training (node, smoke rewrite, scoring round, verification) finds the record's kernel files beside it.
  await placeBesideScript(input.launch.besideScript, input.scriptPath);
  const startedAt = now().toISOString();
  const exec = await input.executor.run({
    ...nodeJobSpec({ runId, node, workDir: input.workDir, scriptPath: input.scriptPath, launch: input.launch, gpus: input.gpus ?? [] }),
    signal: input.signal,
    onLine: (stream, line) => {
      emit?.({ type: 'log-line', run_id: runId, node, stream, line });
      if (stream !== 'stdout') return;
      for (const event of parser.push(`${line}\n`)) {
        if (event.kind === 'val' || event.kind === 'train') {
          stepClock?.note(event.point.step, event.point.train_time_ms);
          pace?.note(event.point.step);
        }
        if (event.kind === 'val') {
          const p = event.point;
          emit?.({ type: 'metric', run_id: runId, node, step: p.step, total_steps: p.total_steps, val_loss: p.val_loss, train_time_ms: p.train_time_ms });
        }
      }
    },
  });
  const endedAt = now().toISOString();
  parser.end();
  const parsed = parser.result();
  const reached = timeToTarget(parsed.points, input.timing.target, input.timing.rule);
  const counts = exec.exitCode === 0 && reached.reached && reached.time_ms !== null;
  const warnings = [...parsed.warnings, ...checkClock({ parsed, wallMs: exec.wallMs, exitCode: exec.exitCode })];

  return nodeResult({
    node,
    parent: input.parent,
    second_parent: input.second_parent ?? null,
    operator: input.operator,
    status: statusOf(exec, parsed, reached.reached),
    measured_by: 'executed',
    script_sha256: input.scriptSha256,
    time_to_target_ms: counts ? reached.time_ms : null,
    val_loss_at_target: counts ? reached.val_loss : null,
    final: parsed.final,
    wall_ms: Math.round(exec.wallMs),
    pace: pace?.pace() ?? null,
    started_at: startedAt,
    ended_at: endedAt,
    exit_code: exec.exitCode,
    stderr_tail: exec.stderrTail,
    warnings,
    integrity: harnessAudit(stepClock?.findings() ?? []),
  });
}

function statusOf(exec: ExecResult, parsed: ParsedLog, reached: boolean): NodeStatus {
  if (exec.aborted) return 'aborted';
  if (exec.timedOut) return 'timeout';
  if (exec.exitCode !== 0) return 'crashed';
  if (!parsed.points.some((p) => Number.isFinite(p.val_loss) && p.train_time_ms !== null)) return 'no-metric';
  return reached ? 'ok' : 'missed-target';
}
