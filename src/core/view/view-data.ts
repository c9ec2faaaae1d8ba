import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { LogParser } from '../measure/log-parser.js';
import { fsrBySteps } from '../report/progress.js';
import { runIntegrity, type RunIntegrity } from '../report/verification.js';
import { CALLS_FILE, LlmCallRecord } from '../store/call-record.js';
import { DamagedRunError, readStoreJson } from '../store/damaged-run.js';
import { readJsonLines } from '../store/json-lines.js';
import { HINT_FILE, NODE_FILES, NODES_DIR, nodeDirOf, RUN_FILE, VERIFICATION_FILE } from '../store/layout.js';
import { readRunSummary, type StoredRun } from '../store/load-results.js';
import { nodeIds, readNodeResult, readNodeText } from '../store/run-store.js';
import { NodeMeta, NodeResult, ProposalRecord, RunConfig, type RunSummary } from '../store/schema.js';
import { readVerification, type VerificationFile } from '../store/verification-file.js';
import type { CatalogRun, ViewCatalog } from './view-catalog.js';
import { isInside } from './safe-path.js';

/**
 * What the viewer shows, as JSON: the index (every bench and a summary line per run), one run (its nodes), one node
 * (diff, log, audit, model calls). Everything is read through the store's readers and schemas; a file that does not
 * read back becomes a `damaged` entry with its reason, and the rest is still shown.
 */

/** Logs longer than this are cut to their last part: a page should open, and a metric line is near the end anyway. */
export const LOG_LIMIT_CHARS = 2_000_000;

export interface Damage {
  file: string;
  reason: string;
}

/** One run in the index: what the matrix cell needs, no node read. */
export interface RunRow {
  bench: string;
  id: string;
  run_id: string | null;
  track: string | null;
  record: number | null;
  hint: string | null;
  agent: string | null;
  model: string | null;
  scaffold: string | null;
  seed: number | null;
  /** The summary's status, `running` while run.json has no result yet, `damaged` when it does not read back. */
  status: RunSummary['status'] | 'running' | 'damaged';
  fsr: number | null;
  fsr_flags: string[];
  best: RunSummary['best'] | null;
  flagged_best: RunSummary['flagged_best'] | null;
  integrity: { rejected: number[]; flagged: number[] };
  verification: VerificationFile['status'] | null;
  nodes: number | null;
  cost_usd: number | null;
  damaged: Damage | null;
}

export interface IndexData {
  benches: { id: string; title: string; spec: unknown; manifest_error: string | null; runs: RunRow[] }[];
}

/** `rowOf` may answer from a cache (row-cache.ts); by default every run.json is read. */
export async function indexData(catalog: ViewCatalog, rowOf: (run: CatalogRun) => Promise<RunRow> = runRow): Promise<IndexData> {
  const benches: IndexData['benches'] = [];
  for (const bench of catalog.benches) {
    const runs: RunRow[] = [];
    for (const run of bench.runs) runs.push(await rowOf(run));
    benches.push({ id: bench.id, title: bench.title, spec: bench.manifest?.spec ?? null, manifest_error: bench.manifest_error, runs });
  }
  return { benches };
}

/** run.json's config, leniently: only what a row shows, so an older config still names its cell. */
const RowConfig = z.object({
  config: RunConfig.pick({ run_id: true, track: true, record: true, hint: true, agent: true, seed: true })
    .extend({ scaffold: z.record(z.string(), z.unknown()).optional() })
    .partial()
    .nullable()
    .catch(null),
});

export async function runRow(run: CatalogRun): Promise<RunRow> {
  const row: RunRow = {
    bench: run.bench,
    id: run.id,
    run_id: null,
    track: null,
    record: null,
    hint: null,
    agent: null,
    model: null,
    scaffold: null,
    seed: null,
    status: 'running',
    fsr: null,
    fsr_flags: [],
    best: null,
    flagged_best: null,
    integrity: { rejected: [], flagged: [] },
    verification: null,
    nodes: null,
    cost_usd: null,
    damaged: null,
  };
  try {
    guard(run, RUN_FILE, VERIFICATION_FILE);
    const summary = await readRunSummary(run.dir);
    if (summary) {
      Object.assign(row, {
        run_id: summary.run_id,
        track: summary.track,
        record: summary.record,
        hint: summary.hint,
        agent: summary.agent,
        model: summary.model,
        scaffold: summary.scaffold,
        seed: summary.seed,
        status: summary.status,
        fsr: summary.fsr,
        fsr_flags: summary.fsr_flags,
        best: summary.best,
        flagged_best: summary.flagged_best,
        integrity: summary.integrity,
        nodes: summary.nodes,
        cost_usd: summary.usage.cost_usd,
      });
    } else {
      const config = (await readStoreJson(run.dir, join(run.dir, RUN_FILE), RowConfig))?.config;
      if (config) {
        const scaffold = config.scaffold?.name;
        Object.assign(row, { ...config, run_id: config.run_id ?? null, scaffold: typeof scaffold === 'string' ? scaffold : null });
      }
    }
    // Most runs have no verification.json: a stat is far cheaper than the failed read (thousands of runs per index).
    if (statSync(join(run.dir, VERIFICATION_FILE), { throwIfNoEntry: false })) row.verification = (await readVerification(run.dir))?.status ?? null;
  } catch (error) {
    if (!(error instanceof DamagedRunError)) throw error;
    row.status = 'damaged';
    row.damaged = { file: error.damage.file, reason: error.damage.reason };
  }
  return row;
}

/** One node in a run's tree: its decision and outcome, or the file of it that does not read back. */
export interface NodeRow {
  node: number;
  parent: number | null;
  second_parent: number | null;
  operator: string | null;
  by: string | null;
  experiment_of: number | null;
  status: NodeResult['status'] | 'pending' | 'damaged';
  measured_by: string | null;
  time_to_target_ms: number | null;
  val_loss: number | null;
  wall_ms: number | null;
  integrity: string | null;
  note: string | null;
  error: string | null;
  cost_usd: number | null;
  damaged: Damage | null;
}

export interface RunData {
  row: RunRow;
  config: RunConfig | null;
  hint: string | null;
  nodes: NodeRow[];
  /** Best-so-far FSR after each node number (report/progress.ts); empty until the run has a summary. */
  fsr_by_step: number[];
  integrity: RunIntegrity | null;
  verification: VerificationFile | null;
  damaged: Damage[];
}

export async function runData(run: CatalogRun): Promise<RunData> {
  const row = await runRow(run);
  const damaged: Damage[] = row.damaged ? [row.damaged] : [];
  const nodes: NodeRow[] = [];
  const results: NodeResult[] = [];
  for (const node of guarded(run, NODES_DIR) ? await nodeIds(run.dir) : []) {
    const { row: entry, result } = await readNode(run, node);
    nodes.push(entry);
    if (entry.damaged) damaged.push(entry.damaged);
    if (result) results.push(result);
  }
  let config: RunConfig | null = null;
  let verification: VerificationFile | null = null;
  let summary: RunSummary | null = null;
  if (!row.damaged) {
    const file = await readStoreJson(run.dir, join(run.dir, RUN_FILE), z.object({ config: z.unknown() }));
    const parsed = RunConfig.safeParse(file?.config);
    config = parsed.success ? parsed.data : null;
    verification = await readVerification(run.dir);
    summary = await readRunSummary(run.dir);
  }
  const stored: StoredRun | null = summary ? { summary, nodes: results, verification } : null;
  return {
    row,
    config,
    hint: guarded(run, HINT_FILE) ? await readText(join(run.dir, HINT_FILE)) : null,
    nodes,
    fsr_by_step: stored ? fsrBySteps({ ...stored, integrity: runIntegrity(stored), gpusPerNode: null }) : [],
    integrity: stored ? runIntegrity(stored) : null,
    verification,
    damaged,
  };
}

/** A node's row, and its result when it has one that reads back. */
async function readNode(run: CatalogRun, node: number): Promise<{ row: NodeRow; result: NodeResult | null }> {
  const row: NodeRow = {
    node,
    parent: null,
    second_parent: null,
    operator: null,
    by: null,
    experiment_of: null,
    status: 'pending',
    measured_by: null,
    time_to_target_ms: null,
    val_loss: null,
    wall_ms: null,
    integrity: null,
    note: null,
    error: null,
    cost_usd: null,
    damaged: null,
  };
  let result: NodeResult | null = null;
  try {
    const dir = nodeDirOf(run.dir, node);
    guard(run, ...[NODE_FILES.meta, NODE_FILES.result].map((f) => join(NODES_DIR, String(node), f)));
    const meta = await readStoreJson(run.dir, join(dir, NODE_FILES.meta), NodeMeta);
    if (meta)
      Object.assign(row, {
        parent: meta.parent,
        second_parent: meta.second_parent,
        operator: meta.operator,
        by: meta.by,
        experiment_of: meta.experiment_of ?? null,
      });
    result = await readNodeResult(run.dir, node);
    if (result) {
      Object.assign(row, {
        parent: result.parent,
        second_parent: result.second_parent,
        operator: result.operator,
        status: result.status,
        measured_by: result.measured_by,
        time_to_target_ms: result.time_to_target_ms,
        val_loss: result.final?.val_loss ?? null,
        wall_ms: result.wall_ms,
        integrity: result.integrity?.verdict ?? null,
        note: result.note,
        error: result.error,
        cost_usd: result.llm?.cost_usd ?? null,
      });
    }
  } catch (error) {
    if (!(error instanceof DamagedRunError)) throw error;
    row.status = 'damaged';
    row.damaged = { file: error.damage.file, reason: error.damage.reason };
    result = null;
  }
  return { row, result };
}

export interface NodeData {
  row: NodeRow;
  meta: NodeMeta | null;
  result: NodeResult | null;
  proposal: ProposalRecord | null;
  /** edit.diff: the node's script against its parent's. */
  diff: string | null;
  log: { stdout: string | null; stderr: string | null; truncated: boolean; metric_lines: number[] };
  analysis: string | null;
  agent_log: { stdout: string | null; stderr: string | null };
  calls: LlmCallRecord[];
  /** Files of the node that could not be read or were refused (a link outside the results folder), with why. */
  problems: Damage[];
}

export async function nodeData(run: CatalogRun, node: number): Promise<NodeData | null> {
  if (!guarded(run, NODES_DIR) || !(await nodeIds(run.dir)).includes(node)) return null;
  const problems: Damage[] = [];
  const { row } = await readNode(run, node);
  if (row.damaged) problems.push(row.damaged);
  const dir = nodeDirOf(run.dir, node);
  const rel = (file: string) => join(NODES_DIR, String(node), file);
  /** A node file read by `read`, or null when it is missing, refused or damaged (then it is listed in problems). */
  const safely = async <T>(file: string, read: () => Promise<T | null | undefined>): Promise<T | null> => {
    if (!guarded(run, rel(file))) {
      problems.push({ file: rel(file), reason: 'a link outside the results folder; not read' });
      return null;
    }
    try {
      return (await read()) ?? null;
    } catch (error) {
      problems.push({ file: rel(file), reason: error instanceof DamagedRunError ? error.damage.reason : (error as Error).message });
      return null;
    }
  };
  const text = (key: keyof typeof NODE_FILES) => safely(NODE_FILES[key], () => readNodeText(run.dir, node, key));
  const stdout = clip(await text('stdout'));
  const stderr = clip(await text('stderr'));
  return {
    row,
    meta: await safely(NODE_FILES.meta, () => readStoreJson(run.dir, join(dir, NODE_FILES.meta), NodeMeta)),
    result: await safely(NODE_FILES.result, () => readNodeResult(run.dir, node)),
    proposal: await safely(NODE_FILES.proposal, () => readStoreJson(run.dir, join(dir, NODE_FILES.proposal), ProposalRecord)),
    diff: await text('edit'),
    log: { stdout: stdout.text, stderr: stderr.text, truncated: stdout.cut || stderr.cut, metric_lines: metricLines(stdout.text ?? '') },
    analysis: await text('analysis'),
    agent_log: { stdout: clip(await text('agentStdout')).text, stderr: clip(await text('agentStderr')).text },
    calls:
      (await safely(CALLS_FILE, async () =>
        readJsonLines(join(dir, CALLS_FILE), LlmCallRecord, 'a recorded LLM call', 'the file was cut or edited; the other nodes are not affected'),
      )) ?? [],
    problems,
  };
}

/** The 1-based lines of a log that the measurement's own parser reads as validation or training metric lines. */
export function metricLines(log: string): number[] {
  const parser = new LogParser();
  return [...parser.push(log), ...parser.end()].filter((e) => e.kind === 'val' || e.kind === 'train').map((e) => e.line);
}

function clip(text: string | null): { text: string | null; cut: boolean } {
  if (text === null || text.length <= LOG_LIMIT_CHARS) return { text, cut: false };
  const rest = text.slice(-LOG_LIMIT_CHARS);
  return { text: rest.slice(rest.indexOf('\n') + 1), cut: true };
}

/** Whether every file named (relative to the run folder) resolves inside the results folder. */
export function guarded(run: CatalogRun, ...files: string[]): boolean {
  return isInside(run.rootReal, run.dir) && files.every((f) => isInside(run.rootReal, join(run.dir, f)));
}

/** Throws DamagedRunError for a file that is a link out of the results folder: the run is shown as damaged. */
function guard(run: CatalogRun, ...files: string[]): void {
  for (const file of files) {
    if (!guarded(run, file)) throw new DamagedRunError({ dir: run.dir, file, reason: 'a link outside the results folder; not read' });
  }
}

export async function readText(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch(() => null);
}
