import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { listTasks, loadTrack } from '../core/catalog/catalog.js';
import { availableHintLevels, composeHint, parseHintSpec } from '../core/catalog/hints.js';
import { loadOfferedHints } from '../core/catalog/offered-hints.js';
import { TrackName } from '../core/catalog/schema.js';
import { claimBenchFolder } from '../core/bench/bench-manifest.js';
import { EXECUTOR_NAMES } from '../core/exec/types.js';
import { parseLog } from '../core/measure/log-parser.js';
import { compareHints } from '../core/score/per-hint.js';
import { readLogTail } from '../core/search/log-tail.js';
import { RunControl } from '../core/search/run-control.js';
import { SCAFFOLD_NAMES } from '../core/search/scaffolds/index.js';
import { DamagedRunError } from '../core/store/damaged-run.js';
import { NODE_FILES, nodeDirOf } from '../core/store/layout.js';
import { loadResults } from '../core/store/load-results.js';
import { readNodeResult, readNodeText } from '../core/store/run-store.js';
import { writeJsonAtomic } from '../core/fs-atomic.js';
import type { SetupChoices, TuiController, RunHandle, CurvePoint } from '../ui/controller.js';
import { AGENT_NAMES } from './agent-setup.js';
import { agentEntry } from '../ui/state/setup-form.js';
import { parseBenchSpec } from '../core/bench/bench-file.js';
import { folderStamp, planRuns } from '../core/plan/plan-runs.js';
import { executionRequestOf, runSettingsOf } from '../core/plan/run-settings.js';
import { findConfig } from './config.js';
import type { CliContext } from './context.js';
import { prepareExecution } from './executor-setup.js';
import { findPython } from './options.js';
import { prepareCellAgent, startPlannedRun } from './run-setup.js';
import type { RetimeMode } from '../core/catalog/schema.js';

const HINTS = ['none', 'L1', 'L2', 'L3', 'L1+L2', 'L1+L2+L3'];

/**
 * The terminal UI's way to the core: catalog and hints for the setup screen, runs started through the same engine
 * as `speedrun run` (each in a bench folder of its own, so `speedrun bench --resume` can finish a run left with `q`),
 * node files for the panes, and the per-hint comparison. Nothing here writes to the terminal: ink owns it.
 */
export function makeTuiController(ctx: CliContext, opts: TuiOptions): TuiController {
  const quiet: CliContext = { ...ctx, log: () => {} };
  const choicesFile = () => join(ctx.cache().root, 'tui-choices.json');
  return {
    async catalog() {
      // The tiny track first: it runs anywhere, so it is the default choice.
      const names = [...TrackName.options].sort((a, b) => Number(b === 'tiny') - Number(a === 'tiny'));
      const tracks = await Promise.all(
        names.map(async (name) => {
          const manifest = await loadTrack(name);
          const tasks = new Set(listTasks(manifest).map((t) => t.record));
          // Without a hint manifest the form offers the general list, and a run names what is missing.
          const hints = await loadOfferedHints(name, ctx.cache()).catch(() => null);
          return {
            name,
            title: manifest.title,
            target_val_loss: manifest.target_val_loss,
            records: manifest.records.map((r) => ({
              number: r.number,
              description: r.description,
              time_ms: r.time_ms,
              hasTask: tasks.has(r.number),
              ...(hints && { hintLevels: availableHintLevels(hints, r.number, tasks.has(r.number)) }),
            })),
          };
        }),
      );
      const config = await findConfig(ctx, opts.config).catch(() => null);
      return {
        tracks,
        hints: HINTS,
        agents: [...AGENT_NAMES],
        scaffolds: [...SCAFFOLD_NAMES],
        executors: [...EXECUTOR_NAMES],
        models: Object.keys(config?.models ?? {}),
      };
    },
    async hintPreview(track, record, hint) {
      try {
        const text = await composeHint({ track: TrackName.parse(track), record, levels: parseHintSpec(hint), cache: ctx.cache() });
        return text || '(no hint)';
      } catch (error) {
        return `(no preview: ${error instanceof Error ? error.message : String(error)})`;
      }
    },
    async lastChoices() {
      return JSON.parse(await readFile(choicesFile(), 'utf8').catch(() => '{}')) as Partial<SetupChoices>;
    },
    async saveChoices(choices) {
      await writeJsonAtomic(choicesFile(), choices);
    },
    start: (choices, onEvent) => startRun(quiet, opts, choices, onEvent),
    async nodeFiles(runDir, node) {
      const diff = await readNodeText(runDir, node, 'edit').catch(() => null);
      // A damaged result.json only costs the pane its stderr tail; the logs themselves are still shown.
      const result = await readNodeResult(runDir, node).catch((error: unknown) => {
        if (error instanceof DamagedRunError) return null;
        throw error;
      });
      return { diff, logTail: await readLogTail(nodeDirOf(runDir, node), result?.stderr_tail ?? '', 200) };
    },
    recordCurve: (track, record) => calibrationCurve(ctx, track, record),
    async results(dir) {
      const { runs, damaged } = await loadResults(dir);
      return { rows: compareHints(runs), damaged };
    },
  };
}

/** What the `tui` command's flags set beyond the setup form. */
export interface TuiOptions {
  out: string;
  python?: string;
  config?: string;
  retime?: RetimeMode;
  retimeRepeats?: number;
}

async function startRun(ctx: CliContext, opts: TuiOptions, choices: SetupChoices, onEvent: Parameters<TuiController['start']>[1]): Promise<RunHandle> {
  const spec = parseBenchSpec(
    {
      tracks: [choices.track],
      records: [choices.record],
      hints: [choices.hint],
      agents: [agentEntry(choices)],
      scaffolds: [choices.scaffold],
      nodes: choices.nodes,
      executor: choices.executor,
      ...(choices.timeBudgetS && { time_budget_s: choices.timeBudgetS }),
      ...(choices.maxLlmCalls && { budget: { max_calls: choices.maxLlmCalls } }),
      // In the bench file too, so that `speedrun bench --resume` scores the run the same way.
      ...(opts.retime && { retime: opts.retime }),
      ...(opts.retimeRepeats && { retime_repeats: opts.retimeRepeats }),
      // Shown (and so meant) only for the llm agent.
      ...(choices.revealTargetTime && choices.agent === 'llm' && { reveal_target_time: true }),
    },
    'the setup screen',
  );
  const [cell] = await planRuns(spec, ctx.cache());
  const benchDir = resolve(opts.out, `tui-${folderStamp(new Date())}`);
  await mkdir(benchDir, { recursive: true });
  await claimBenchFolder(benchDir, spec, [cell!.run_id], new Date());
  const abort = new AbortController();
  const control = new RunControl();
  const shared = runSettingsOf(spec, {
    python: await findPython(ctx, opts.python),
    execution: await prepareExecution(ctx, { ...executionRequestOf(spec), config: opts.config }),
    config: opts.config,
    control,
    signal: abort.signal,
    emit: onEvent,
  });
  const agent = await prepareCellAgent(ctx, { ...shared, executor: shared.execution.name }, cell!);
  const runDir = join(benchDir, cell!.run_id);
  const done = startPlannedRun(ctx, shared, cell!, runDir, agent);
  return {
    benchDir,
    runDir,
    get paused() {
      return control.paused;
    },
    pause: () => control.pause(),
    resume: () => control.resume(),
    async quit() {
      abort.abort(new Error('stopped from the terminal UI; the run stays resumable'));
      await done.catch(() => undefined);
    },
    editNode: (node) => editInEditor(ctx, runDir, node, control),
    done,
  };
}

/** The human agent: the node's script in $EDITOR; a changed script goes back into the run as a new node. */
async function editInEditor(ctx: CliContext, runDir: string, node: number, control: RunControl): Promise<boolean> {
  const original = await readNodeText(runDir, node, 'script');
  if (original === null) return false; // a node without a script (edit-failed, agent-error): nothing to edit
  const dir = join(tmpdir(), `speedrun-edit-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `node-${node}-train_gpt.py`);
  await writeFile(file, original);
  const editor = ctx.env.VISUAL || ctx.env.EDITOR || 'vi';
  // The editor owns the terminal until it exits; the run's processes go on meanwhile.
  const result = spawnSync(editor, [file], { stdio: 'inherit', shell: true });
  if (result.status !== 0) return false;
  const edited = await readFile(file, 'utf8');
  if (edited === original) return false;
  control.submit({ parent: node, script: edited, note: `human edit of node ${node} in ${editor}` });
  return true;
}

/** The record's validation curve from the latest calibration run on this machine, when there is one. */
async function calibrationCurve(ctx: CliContext, track: string, record: number): Promise<CurvePoint[] | null> {
  const root = join(ctx.cache().root, 'calibration', `${track}-runs`);
  const stamps = (await readdir(root).catch(() => [])).sort().reverse();
  for (const stamp of stamps) {
    const log = await readFile(join(root, stamp, `r${String(record).padStart(2, '0')}-1`, NODE_FILES.stdout), 'utf8').catch(() => null);
    if (log) return parseLog(log).points.map((p) => ({ step: p.step, val_loss: p.val_loss, train_time_ms: p.train_time_ms }));
  }
  return null;
}
