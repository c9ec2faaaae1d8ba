import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readVerification, type VerificationFile } from '../verify/verification-file.js';
import { NodeResult, RunConfig, RunSummary } from './schema.js';

/** A finished (or stopped) run as read back from its folder: the summary, every node's result, its verification. */
export interface StoredRun {
  summary: RunSummary;
  nodes: NodeResult[];
  /** verification.json once `speedrun verify` ran on it. */
  verification?: VerificationFile | null;
  /** The run folder it was read from (reports read integrity files beside run.json); absent for runs built in memory. */
  dir?: string;
  /** The run's config from run.json, or null when it does not parse (an older run); absent for runs built in memory. */
  config?: RunConfig | null;
}

/**
 * Every run with a result under `dir`: a bench folder, a results folder of single runs, or a tree of them. Folders
 * without a run.json result are skipped (a run still in progress has none).
 */
export async function loadRuns(dir: string): Promise<StoredRun[]> {
  const runs: StoredRun[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'nodes') continue;
    const sub = join(dir, entry.name);
    const run = await readRunFolder(sub);
    if (run) runs.push(run);
    else runs.push(...(await loadRuns(sub)));
  }
  return runs.sort((a, b) => a.summary.run_id.localeCompare(b.summary.run_id));
}

async function readRunFolder(dir: string): Promise<StoredRun | null> {
  let raw: { result?: unknown; config?: unknown };
  try {
    raw = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as { result?: unknown; config?: unknown };
  } catch {
    return null;
  }
  if (!raw.result) return null;
  const summary = RunSummary.parse(raw.result);
  const nodes: NodeResult[] = [];
  for (const node of await readdir(join(dir, 'nodes')).catch(() => [])) {
    const text = await readFile(join(dir, 'nodes', node, 'result.json'), 'utf8').catch(() => null);
    if (text) nodes.push(NodeResult.parse(JSON.parse(text)));
  }
  const config = RunConfig.safeParse(raw.config);
  return { summary, nodes: nodes.sort((a, b) => a.node - b.node), verification: await readVerification(dir), dir, config: config.success ? config.data : null };
}
