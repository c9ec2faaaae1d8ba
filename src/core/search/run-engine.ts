import type { TrackData } from '../data/track-env.js';
import { readFile } from 'node:fs/promises';
import type { Agent } from '../agent/agent.js';
import { BudgetExhaustedError } from '../agent/budget.js';
import { sumUsage } from '../agent/usage.js';
import { getRecord, resolveRecordScript } from '../catalog/catalog.js';
import type { TrackManifest } from '../catalog/schema.js';
import type { PythonWithTorch } from '../exec/python.js';
import { processCount } from '../exec/process-count.js';
import type { SlotPool } from '../exec/slot-pool.js';
import type { Executor } from '../exec/types.js';
import { describeOutcome } from '../agent/outcome.js';
import { fanOut, type EventSink } from '../events.js';
import type { CacheLayout } from '../paths.js';
import { RunHistory } from '../store/run-history.js';
import { withFolderLock } from '../store/folder-lock.js';
import { TRAJECTORY_FILE } from '../store/layout.js';
import { writeTrajectory } from '../store/trajectory.js';
import { RunStore, type StoredNode } from '../store/run-store.js';
import { revealsTargetTime, type ChainStart, type NodeMeta, type RunConfig, type RunSummary } from '../store/schema.js';
import { sha256Hex } from '../catalog/files.js';
import { createNode } from './create-node.js';
import { usageSoFar } from './node-calls.js';
import type { NodeContext } from './node-context.js';
import { SearchTree } from './search-tree.js';
import { humanNode, runNode } from './run-node.js';
import { trackLaunch } from '../exec/node-job.js';
import { auditTask, integrityGate, pythonChecker, type ScriptChecker } from './integrity-gate.js';
import { loadStoredNodes, recordBaseline } from './run-restore.js';
import { summarizeRun } from './run-summary.js';
import { scoreRun } from './run-score.js';
import { executedBaseline, roundNeeded, runScoringRound, type RetimeSetting } from './run-scoring.js';
import { newRunConfig, runSettings } from './run-config.js';
import { cachedMeaning, pythonScriptMeaning, type ScriptMeaning } from '../measure/script-meaning.js';
import type { TimedRun } from '../store/scoring-schema.js';
import { decisionRandom } from './scaffolds/random.js';
import type { Scaffold } from './scaffolds/scaffold.js';
import type { TaskTimes } from '../calibrate/task-times.js';
import type { HumanEdit, RunControl } from './run-control.js';

export interface RunSearchInput {
  runId: string;
  /** The run's folder: created, or resumed when it already holds an unfinished run. */
  runDir: string;
  manifest: TrackManifest;
  record: number;
  hintSpec: string;
  hintText: string;
  agent: Agent;
  model: string | null;
  budget: Record<string, number>;
  scaffold: Scaffold;
  seed: number;
  executor: Executor;
  slots: SlotPool;
  python: PythonWithTorch;
  hardware: string;
  cache: CacheLayout;
  trackData: TrackData;
  times: TaskTimes;
  /** Let prompts state the next record's time (--reveal-target-time); recorded in run.json. Default: hidden. */
  revealTargetTime?: boolean;
  timeoutMs?: number;
  /** Stop creating nodes after this much wall time (in-flight nodes finish). */
  wallBudgetMs?: number;
  /**
   * How each node's script is audited against the baseline record (default: python/integrity_check.py on the
   * run's Python). null turns the audit off (--no-integrity-check): the run's score then carries a flag saying so.
   */
  checkScript?: ScriptChecker | null;
  /** Pause and human edits from outside (the terminal UI). */
  control?: RunControl;
  /** Train every node's script rewritten to this many steps (an installation check: never scored). */
  smoke?: number;
  /**
   * Where the claimed FSR takes its times (README "Timing and scoring"): default the track's (manifest `retime`,
   * `retime_repeats`). A resumed run keeps the setting it was started with; a smoke run never re-times.
   */
  retime?: RetimeSetting;
  /**
   * A chain's step (README "Chains"): where it starts (recorded in run.json) and the script node 0 holds when it is
   * not record i's own. The task, its hint, its audit and its times stay record i's.
   */
  chain?: { start: ChainStart; script: string | null };
  /** The meaning of a script, for duplicate detection (default: python/script_meaning.py on the run's Python). */
  scriptMeaning?: ScriptMeaning;
  signal?: AbortSignal;
  emit?: EventSink;
  now?: () => Date;
}

/** Runs that are over; anything else found in a run folder (aborted, failed, or no result yet) is resumed. */
export const FINAL_STATUSES: ReadonlyArray<RunSummary['status']> = ['finished', 'budget-exhausted'];

/**
 * One search: the baseline node, then nodes as the scaffold decides, the agent writing the next node while
 * earlier ones train (one proposal at a time, training limited by the executor's slots). Every step is on disk
 * before the next, so a run killed at any point resumes: finished nodes are kept, a node that was training is
 * trained again from scratch, a proposal that was being written is written again.
 */
export async function runSearch(input: RunSearchInput): Promise<RunSummary> {
  const { manifest, record } = input;
  getRecord(manifest, record + 1); // a task needs a next record to aim for
  processCount(manifest, record, input.slots.gpusPerSlot); // refuses a GPU count the record's script cannot train with
  // One writer per run folder (a run of a bench belongs to the bench's process, which holds this lock too).
  return withFolderLock(input.runDir, 'run', () => searchLocked(input));
}

async function searchLocked(input: RunSearchInput): Promise<RunSummary> {
  const { manifest, record } = input;
  const store = await RunStore.open(input.runDir);
  const previous = await store.readRun();
  if (previous?.result && FINAL_STATUSES.includes(previous.result.status)) return previous.result;

  const now = input.now ?? (() => new Date());
  const emit = fanOut((event) => void store.journal(event), input.emit);
  const config: RunConfig = previous?.config ?? newRunConfig({ ...input, chain: input.chain?.start }, now());
  const { timing: runTiming, retime: runRetime } = runSettings(config, manifest);
  await store.writeRun(config, null);
  await store.writeText('hint.md', input.hintText);
  const history = await RunHistory.open(store.dir);
  emit({
    type: previous ? 'run-resumed' : 'run-started',
    run_id: config.run_id,
    track: manifest.track,
    record,
    hint: input.hintSpec,
    agent: input.agent.name,
    scaffold: input.scaffold.name,
    seed: input.seed,
    baseline_ms: input.times.baselineMs,
    target_ms: input.times.targetMs,
    results_dir: store.dir,
    timing_rule: runTiming.rule,
    target_val_loss: runTiming.target,
    retime: runRetime.mode,
  });

  const ctx: NodeContext = {
    runId: config.run_id,
    store,
    history,
    emit,
    manifest,
    record,
    agent: input.agent,
    executor: input.executor,
    slots: input.slots,
    launch: trackLaunch(manifest, input.python.python, input.trackData, input.timeoutMs),
    hintSpec: input.hintSpec,
    hintText: input.hintText,
    hardware: input.hardware,
    times: input.times,
    revealTargetTime: revealsTargetTime(config),
    tree: new SearchTree(config.smoke != null),
    integrity: null,
    meaning: input.scriptMeaning ?? cachedMeaning(pythonScriptMeaning(input.python.python)),
    timing: runTiming,
    smoke: config.smoke ?? null,
    nodesLeft: () => nodesLeft(input.scaffold.params.max_nodes, ctx.tree),
    deadline: input.wallBudgetMs === undefined ? Infinity : Date.now() + input.wallBudgetMs,
    signal: input.signal,
  };
  let round: TimedRun[] | null = null;
  // A chain's step whose node 0 is not record i's own script (set once the scripts are read).
  let ownStart = false;
  const summarize = (status: RunSummary['status'], stopReason: string | null) => {
    const nodes = ctx.tree.results();
    const score = scoreRun({
      retime: runRetime.mode,
      repeats: runRetime.repeats,
      reference: input.times,
      best: ctx.tree.best()?.result ?? null,
      baselineNode: executedBaseline(ctx.tree),
      round,
    });
    // A round that a stop cut short leaves no score until the run is resumed and the round finished.
    const pending = roundNeeded(runRetime, nodes, ownStart) && round === null ? 'the scoring round has not finished: resume the run to score it' : undefined;
    return summarizeRun(config, manifest, score, nodes, status, { model: input.model, stopReason, resultsDir: store.dir, pending });
  };

  try {
    const stored = await store.readNodes();
    // Record i's script: what nodes are audited against and the scoring round times as t_i, also in a chain.
    const baselineScript = await readFile(await resolveRecordScript(manifest, record, input.cache), 'utf8');
    const start = startScript(config, input.chain?.script ?? null, baselineScript);
    ownStart = start.own;
    // A resumed run keeps the audit setting it was started with.
    if (config.integrity_check !== false && input.checkScript !== null) {
      const task = await auditTask(manifest, record, baselineScript, input.cache);
      ctx.integrity = integrityGate(task, input.checkScript ?? pythonChecker(input.python.python));
    }
    await recordBaseline(ctx, start, stored[0]?.result ?? null, runRetime.mode);
    const unfinished = await loadStoredNodes(ctx, stored.slice(1));
    input.agent.restoreUsage?.(sumUsage(await Promise.all(stored.map((s) => usageSoFar(store, s.meta.node)))));
    const stop = await searchLoop(ctx, input, unfinished);
    if (!input.signal?.aborted && roundNeeded(runRetime, ctx.tree.results(), start.own)) {
      round = await runScoringRound(ctx, { retime: runRetime, best: ctx.tree.best()!.result, baselineScript, cache: input.cache, runDir: store.dir });
    }
    const status = input.signal?.aborted ? 'aborted' : stop.budgetExhausted ? 'budget-exhausted' : 'finished';
    const summary = summarize(status, stop.reason);
    await finish(ctx, config, summary, emit);
    return summary;
  } catch (error) {
    // Whatever was measured before the failure stays on disk, and the run resumes from there next time.
    if (input.signal?.aborted) {
      const summary = summarize('aborted', 'stopped by the user');
      await finish(ctx, config, summary, emit);
      return summary;
    }
    emit({ type: 'error', run_id: config.run_id, message: error instanceof Error ? error.message : String(error) });
    await finish(ctx, config, summarize('failed', null), emit);
    throw error;
  }
}

/**
 * The script node 0 holds: record i's, or a chain's start (README "Chains"). `own` when it differs from record i's:
 * then node 0 is trained even without re-timing (its time is not the record's) and is scored like any node. A
 * resumed step must find the very script it was started with.
 */
function startScript(config: RunConfig, chainScript: string | null, recordScript: string): { script: string; own: boolean; note: string } {
  const script = chainScript ?? recordScript;
  const start = config.chain;
  if (start && start.sha256 !== sha256Hex(script)) {
    throw new Error(
      `run ${config.run_id} started from a script with sha256 ${start.sha256}, but its start file now holds another; restore ${start.file ?? 'it'}`,
    );
  }
  const own = script !== recordScript;
  const note =
    !start || start.from === 'record' || !own
      ? `record ${config.record}`
      : start.from === 'best'
        ? `chain start: step ${start.step - 1}'s best (node ${start.node} of ${start.run_id})`
        : `chain start: step ${start.step - 1}'s own start (it had no valid best node)`;
  return { script, own, note };
}

interface StopState {
  budgetExhausted: boolean;
  reason: string | null;
}

/** Grows the tree: resumed nodes first, then the scaffold's decisions, until it is done and nothing is in flight. */
async function searchLoop(ctx: NodeContext, input: RunSearchInput, unfinished: StoredNode[]): Promise<StopState> {
  const stop: StopState = { budgetExhausted: false, reason: null };
  const running = new Set<Promise<void>>();
  let agentBusy = false;
  let scaffoldDone = false;
  let failure: unknown = null;
  // Any change (a proposal done, a node finished, the deadline) wakes the loop; a wake while it was busy is kept.
  let woken = false;
  let resolveWake: (() => void) | null = null;
  const wake = () => {
    woken = true;
    resolveWake?.();
  };
  const changed = () =>
    new Promise<void>((resolve) => {
      if (woken) resolve();
      else resolveWake = resolve;
    }).then(() => {
      woken = false;
      resolveWake = null;
    });
  const deadline = ctx.deadline;
  const deadlineTimer = Number.isFinite(deadline) ? setTimeout(() => wake(), deadline - Date.now()) : null;
  const unsubscribe = input.control?.onChange(wake);

  const start = (meta: NodeMeta, resumed: StoredNode | null, human?: HumanEdit) => {
    const needsProposal = !resumed?.proposal && !human;
    if (needsProposal) agentBusy = true;
    const task = runNode(ctx, meta, resumed, human, () => {
      agentBusy = false;
      wake();
    })
      .then((outcome) => {
        if (outcome.budgetExhausted) {
          stop.budgetExhausted = true;
          stop.reason ??= outcome.reason;
        }
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => {
        running.delete(task);
        wake();
      });
    running.add(task);
  };

  try {
    while (true) {
      const stopping = failure !== null || input.signal?.aborted || stop.budgetExhausted || stop.reason !== null;
      if (!stopping && Date.now() >= deadline) stop.reason = `wall-clock budget of ${Math.round(input.wallBudgetMs! / 1000)} s reached`;
      woken = false;
      if (!stopping && stop.reason === null) {
        // Interrupted nodes go first, in id order; one proposal is written at a time.
        while (unfinished.length && !(agentBusy && !unfinished[0]!.proposal)) {
          const next = unfinished.shift()!;
          start(next.meta, next);
        }
        // A person's edit becomes a node at once: it needs neither the agent nor the scaffold.
        for (let edit = input.control?.takeEdit(); edit; edit = input.control?.takeEdit()) start(await humanNode(ctx, edit), null, edit);
        if (!agentBusy && !scaffoldDone && unfinished.length === 0 && !input.control?.paused) {
          const decided = await decide(ctx, input, stop);
          if (decided === 'done') scaffoldDone = true;
          else if (decided !== 'wait') start(decided, null);
          else if (running.size === 0) throw new Error(`scaffold ${input.scaffold.name} waits with no node in flight`);
          if (decided !== 'wait' && decided !== 'done') continue;
        }
      }
      // Paused with nothing in flight, the run waits for a resume or a human edit rather than ending.
      if (running.size === 0 && !(input.control?.paused && !stopping)) break;
      await changed();
    }
  } finally {
    if (deadlineTimer) clearTimeout(deadlineTimer);
    unsubscribe?.();
  }
  if (failure !== null) throw failure;
  return stop;
}

/** Asks the scaffold for the next node and writes the decision down before anything else happens to it. */
async function decide(ctx: NodeContext, input: RunSearchInput, stop: StopState): Promise<NodeMeta | 'wait' | 'done'> {
  try {
    input.agent.checkBudget?.();
  } catch (error) {
    if (!(error instanceof BudgetExhaustedError)) throw error;
    stop.budgetExhausted = true;
    stop.reason = error.message;
    ctx.emit({ type: 'error', run_id: ctx.runId, message: `${error.message}; the run ends with the nodes it has` });
    return 'done';
  }
  // The scaffold normalises times by t_i: record i as this run measured it, when it did (like with like).
  const baselineMs = executedBaseline(ctx.tree)?.time_to_target_ms ?? input.times.baselineMs;
  const decision = input.scaffold.next({ nodes: ctx.tree.nodes, baselineMs }, decisionRandom(input.seed, ctx.tree.nextId));
  if (decision.kind !== 'expand') return decision.kind;
  return createNode(ctx, { parent: decision.parent, second_parent: decision.second_parent ?? null, operator: decision.operator, by: 'agent' });
}

async function finish(ctx: NodeContext, config: RunConfig, summary: RunSummary, emit: EventSink): Promise<void> {
  const { store, tree } = ctx;
  emit({ type: 'run-finished', run_id: summary.run_id, status: summary.status, fsr: summary.fsr, best: summary.best });
  await store.flush();
  await store.writeRun(config, summary);
  // Exports of what is on disk already: one that cannot be written is said, and the run stands.
  // The nodes' outcomes as git notes, all in one commit (a node without a script has no commit to note).
  const outcomes = tree.finished().filter((n) => n.result.status !== 'aborted' && n.result.measured_by !== 'not-run');
  await ctx.history
    .recordOutcomes(outcomes.map((n) => ({ node: n.node, text: describeOutcome(n.result) })))
    .catch((error: Error) => emit({ type: 'error', run_id: summary.run_id, message: `git notes not written: ${error.message}` }));
  // `speedrun trajectory` writes the trajectory again for a run whose export failed.
  const nodes = tree.nodes.map((n) => ({
    meta: { node: n.node, parent: n.parent, second_parent: n.second_parent, operator: n.operator, by: n.by },
    result: n.result,
    note: n.note,
  }));
  await writeTrajectory(store.dir, { config, summary, nodes }).catch((error: Error) =>
    emit({ type: 'error', run_id: summary.run_id, message: `${TRAJECTORY_FILE} not written: ${error.message}` }),
  );
}

/** The scaffold's node cap less the agent nodes the tree holds (the node being written among them). */
function nodesLeft(cap: unknown, tree: SearchTree): number | null {
  return typeof cap === 'number' ? Math.max(0, cap - tree.nodes.filter((n) => n.operator !== 'baseline').length) : null;
}
