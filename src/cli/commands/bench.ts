import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { claimBenchFolder, readBenchManifest } from '../../core/bench/bench-manifest.js';
import type { BenchSpec, BenchSpecInput } from '../../core/bench/bench-spec.js';
import { runBench } from '../../core/bench/run-bench.js';
import { runChain } from '../../core/bench/run-chain.js';
import type { PlannedRun } from '../../core/bench/bench-plan.js';
import { getRecord, loadTrack } from '../../core/catalog/catalog.js';
import type { BenchRunEntry, ChainStepEntry } from '../../core/events.js';
import { formatChainTable } from '../format-chain.js';
import { UserError } from '../../core/errors.js';
import type { EventSink } from '../../core/events.js';
import { loadBenchFile, parseBenchSpec } from '../../core/bench/bench-file.js';
import { planRuns } from '../../core/plan/plan-runs.js';
import { executionRequestOf, runSettingsOf } from '../../core/plan/run-settings.js';
import { parseAgentList, splitList } from '../agent-list.js';
import type { CliContext } from '../context.js';
import { formatTable } from '../format.js';
import { findPython, interruptSignal, parsePositiveInt } from '../options.js';
import { logProgress } from '../progress.js';
import { startPlannedRun } from '../run-setup.js';
import { prepareExecution } from '../executor-setup.js';
import { addSharedRunOptions, sharedSpecFields, type SharedRunFlags } from '../run-flags.js';
import { formatTime } from '../../core/format-time.js';
import { DEFAULT_ALPHA } from '../../core/verify/verdict.js';
import { readVerification } from '../../core/store/verification-file.js';
import { verifyResults } from '../verify-setup.js';
import { formatFsr } from '../../core/score/fsr.js';

interface BenchFlags extends SharedRunFlags {
  track: string;
  records?: string;
  hints: string;
  agents: string;
  scaffolds: string;
  seeds: string;
  nodes?: string;
  slots: string;
  parallel: string;
  out?: string;
  resume?: string;
  verify?: string;
  json?: boolean;
}

export function registerBenchCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('bench')
    .description('run a matrix of tasks × hints × agents × scaffolds × seeds into one resumable results folder')
    .argument(
      '[spec.yaml]',
      'the matrix as a YAML file (fields: tracks, records, hints, agents, scaffolds, nodes, seeds, slots, parallel, timeout_s, time_budget_s, budget, retime, retime_repeats, reveal_target_time); flags build it otherwise',
    )
    .option('--track <tracks>', 'tracks, comma-separated', 'tiny')
    .option('--records <range>', 'task records, e.g. 1-3,5')
    .option('--hints <specs>', 'hint specs, comma-separated: none, L1, L2, L3, L9 (where upstream ships extra documents), L1+L2, L1+L2+L3, ...', 'none')
    .option('--agents <agents>', 'comma-separated: reference, null, llm:MODEL, replay:RUN_DIR, qwen-code:MODEL, codex:MODEL', 'reference')
    .option('--scaffolds <names>', 'comma-separated: flat, tree, forest, aide, multi-aide, greedy, mcts, evolutionary', 'flat')
    .option('--seeds <n>', 'seeds 1..N per cell', '1')
    .option('--nodes <n>', "node cap for every scaffold (default: each scaffold's own, 20)");
  addSharedRunOptions(command)
    .option('--slots <n>', 'CPU training slots of the executor (nodes that train at once)', '1')
    .option('--parallel <n>', 'runs in progress at once', '1')
    .option('--out <dir>', 'the bench folder (re-running the same bench on it resumes)')
    .option('--resume <dir>', 'continue the bench in this folder, with the spec it was started with')
    .option('--verify <k>', "at the end, re-run each run's best node k times interleaved with its baseline record (as `speedrun verify`)")
    .option('--json', 'stream NDJSON events on stdout, then {"type":"bench-finished","runs":[...]} (and with --verify {"type":"bench-verified","runs":[...]})')
    .action(async (file: string | undefined, flags: BenchFlags) => {
      const { dir, spec } = await benchFolderAndSpec(file, flags);
      await runBenchFolder(ctx, dir, spec, flags);
    });
}

/** What running a bench folder reads from the command's flags (`bench` and `chain` both come through here). */
export interface BenchFolderFlags {
  python?: string;
  config?: string;
  verify?: string;
  json?: boolean;
}

/**
 * Runs (or resumes) the bench of `spec` in `dir`: a matrix, or a chain (README "Chains") when the spec says so, so
 * `bench --resume` continues either. Prints the table, or NDJSON ending with bench-finished (and chain-finished).
 */
export async function runBenchFolder(ctx: CliContext, dir: string, spec: BenchSpec, flags: BenchFolderFlags): Promise<void> {
  const signal = interruptSignal(ctx);
  const runs = await planRuns(spec, ctx.cache());
  await mkdir(dir, { recursive: true });
  const resumed =
    (await claimBenchFolder(
      dir,
      spec,
      runs.map((r) => r.run_id),
      new Date(),
    )) === 'resume';
  const python = await findPython(ctx, flags.python, spec.executor);
  const what = spec.chain ? `chain of ${runs.length} steps` : `${runs.length} runs`;
  ctx.log(`bench ${dir}: ${what}${resumed ? ' (resuming)' : ''}; python ${python.python} (torch ${python.torchVersion})`);
  const emit = flags.json ? ndjson(ctx) : logProgress(ctx);
  emit({ type: 'bench-started', dir, runs: runs.length, resumed });
  const execution = await prepareExecution(ctx, { ...executionRequestOf(spec), config: flags.config });
  const settings = runSettingsOf(spec, { python, execution, config: flags.config, signal, emit });
  const verifyRepeats = flags.verify === undefined ? null : parsePositiveInt(flags.verify, '--verify');
  if (verifyRepeats !== null && verifyRepeats < 2)
    throw new UserError('--verify needs at least 2 repeats: the val-loss t-test needs two values', 'e.g. --verify 3');
  const runOne = (run: PlannedRun, runDir: string) => startPlannedRun(ctx, settings, run, runDir);
  let steps: ChainStepEntry[] | null = null;
  let entries: BenchRunEntry[];
  if (spec.chain) {
    const manifest = await loadTrack(spec.tracks[0]!);
    steps = await runChain({ dir, runs, runOne, emit, signal, recordSha256: (record) => getRecord(manifest, record).script.sha256 });
    entries = steps;
  } else entries = await runBench({ dir, runs, parallel: spec.parallel, runOne, emit, signal });
  if (verifyRepeats !== null && !signal.aborted) {
    const verified = await verifyResults(ctx, dir, {
      repeats: verifyRepeats,
      alpha: DEFAULT_ALPHA,
      python,
      execution,
      timeoutMs: settings.timeoutMs,
      signal,
    });
    if (flags.json) ctx.json({ type: 'bench-verified', runs: verified.files, damaged: verified.damaged });
  }
  if (!flags.json) ctx.out(steps ? formatChainTable(steps) : await formatBenchTable(dir, entries));
  if (signal.aborted) ctx.log(`stopped; \`speedrun ${spec.chain ? 'chain' : 'bench'} --resume ${dir}\` continues where it left off`);
  if (signal.aborted || entries.length < runs.length || entries.some((e) => e.status !== 'finished' && e.status !== 'budget-exhausted')) process.exitCode = 1;
}

/** --resume DIR takes the spec kept in the folder; otherwise the YAML file or the flags make it. */
async function benchFolderAndSpec(file: string | undefined, flags: BenchFlags): Promise<{ dir: string; spec: BenchSpec }> {
  if (flags.resume) {
    const dir = resolve(flags.resume);
    const manifest = await readBenchManifest(dir);
    if (!manifest) throw new UserError(`${dir} holds no bench (no bench.json)`, 'pass the --out folder of an earlier `speedrun bench`');
    return { dir, spec: manifest.spec };
  }
  if (!flags.out) throw new UserError('speedrun bench needs --out DIR (or --resume DIR)', 'e.g. --out results/bench-1');
  if (file) return { dir: resolve(flags.out), spec: await loadBenchFile(resolve(file)) };
  if (!flags.records) throw new UserError('speedrun bench needs --records (or a spec file)', 'e.g. --records 1-3');
  const input: BenchSpecInput = {
    tracks: splitList(flags.track) as BenchSpecInput['tracks'],
    records: flags.records,
    hints: splitList(flags.hints),
    agents: parseAgentList(flags.agents),
    scaffolds: splitList(flags.scaffolds),
    seeds: parsePositiveInt(flags.seeds, '--seeds'),
    ...(flags.nodes && { nodes: parsePositiveInt(flags.nodes, '--nodes') }),
    slots: parsePositiveInt(flags.slots, '--slots'),
    parallel: parsePositiveInt(flags.parallel, '--parallel'),
    ...sharedSpecFields(flags),
  };
  return { dir: resolve(flags.out), spec: parseBenchSpec(input, 'the command line') };
}

/**
 * Every event but log lines and streamed answer pieces, one JSON object per line on stdout: both are bulk text that
 * the run folder keeps whole (node logs, llm-calls.jsonl), and a script reading progress wants the state changes.
 */
function ndjson(ctx: CliContext): EventSink {
  return (event) => {
    if (event.type !== 'log-line' && event.type !== 'llm-delta') ctx.json(event);
  };
}

/** The bench's runs; once any run has been verified, its verdict and verified FSR beside the claimed one. */
async function formatBenchTable(dir: string, entries: BenchRunEntry[]): Promise<string> {
  const verifications = await Promise.all(entries.map((e) => readVerification(join(dir, e.run_id)).catch(() => null)));
  const rows = entries.map((e) => [e.run_id, e.status, e.best ? `node ${e.best.node}` : '—', formatTime(e.best?.train_time_ms), formatFsr(e.fsr)]);
  if (verifications.every((v) => v === null)) return formatTable(['run', 'status', 'best', 'time', 'FSR'], rows);
  return formatTable(
    ['run', 'status', 'best', 'time', 'FSR', 'verified', 'FSR verified'],
    rows.map((row, i) => [...row, verifications[i]?.status ?? 'not yet', formatFsr(verifications[i]?.fsr_verified ?? null)]),
  );
}
