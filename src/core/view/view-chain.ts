import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CHAIN_DIR } from '../bench/chain-start.js';
import { sha256Hex } from '../catalog/files.js';
import { describeChainStart } from '../report/chains.js';
import { DamagedRunError, readStoreJson } from '../store/damaged-run.js';
import { RUN_FILE } from '../store/layout.js';
import { readNodeResult } from '../store/run-store.js';
import { ChainStart, RunConfig, RunSummary } from '../store/schema.js';
import type { CatalogBench, CatalogRun } from './view-catalog.js';
import { isInside } from './safe-path.js';
import { guarded, type Damage } from './view-data.js';

/**
 * A chain bench's steps (key `chain/<bench>`, on the bench page): each run in step order, the script it started from
 * and where that came from (run.json's `config.chain`, checked against the chain folder's chain/step-<k>.json and
 * its script's sha256), the start script's own time, and the step's FSR. Read through ChainStart and RunSummary; a
 * file that does not read back or does not match is named in `problems` and the other steps still show.
 */
export interface ChainStep {
  step: number;
  /** The run's id in the viewer's URLs, and its own run id. */
  run: string;
  run_id: string;
  record: number;
  start: ChainStart;
  /** Where it started, in words, as the report's chain table says it. */
  start_text: string;
  /** Node 0 (the start script) as the step trained it; null when it was not trained or missed the target. */
  start_ms: number | null;
  status: RunSummary['status'] | 'running';
  fsr: number | null;
  best: RunSummary['best'] | null;
}

export interface ChainData {
  steps: ChainStep[];
  problems: Damage[];
}

const StepRun = z.object({ config: RunConfig, result: RunSummary.nullable().default(null) });

export async function chainData(bench: CatalogBench): Promise<ChainData> {
  const steps: ChainStep[] = [];
  const problems: Damage[] = [];
  for (const run of bench.runs) {
    try {
      const step = await chainStep(run, problems);
      if (step) steps.push(step);
    } catch (error) {
      if (!(error instanceof DamagedRunError)) throw error;
      problems.push({ file: `${run.id}/${error.damage.file}`, reason: error.damage.reason });
    }
  }
  return { steps: steps.sort((a, b) => a.step - b.step), problems };
}

async function chainStep(run: CatalogRun, problems: Damage[]): Promise<ChainStep | null> {
  if (!guarded(run, RUN_FILE)) throw new DamagedRunError({ dir: run.dir, file: RUN_FILE, reason: 'a link outside the results folder; not read' });
  const file = await readStoreJson(run.dir, join(run.dir, RUN_FILE), StepRun);
  const start = file?.config.chain;
  if (!file || !start) return null;
  const summary = file.result;
  if (start.step > 0) problems.push(...(await checkStart(run, start)));
  const node0 = guarded(run, 'nodes/0/result.json') ? await readNodeResult(run.dir, 0).catch(() => null) : null;
  return {
    step: start.step,
    run: run.id,
    run_id: file.config.run_id,
    record: file.config.record,
    start,
    start_text: describeChainStart(start.step, file.config.record, start),
    start_ms: node0?.measured_by === 'executed' ? node0.time_to_target_ms : null,
    status: summary?.status ?? 'running',
    fsr: summary?.fsr ?? null,
    best: summary?.best ?? null,
  };
}

/** The chain folder's record of step k's start (chain/step-<k>.json and .py) against what the run says it started from. */
async function checkStart(run: CatalogRun, start: ChainStart): Promise<Damage[]> {
  const chainDir = dirname(run.dir);
  const marker = `${CHAIN_DIR}/step-${start.step}.json`;
  const script = `${CHAIN_DIR}/step-${start.step}.py`;
  if (![marker, script].every((f) => isInside(run.rootReal, join(chainDir, f))))
    return [{ file: marker, reason: 'a link outside the results folder; not read' }];
  try {
    const kept = await readStoreJson(chainDir, join(chainDir, marker), ChainStart);
    if (!kept) return [{ file: marker, reason: `missing: step ${start.step}'s start cannot be traced` }];
    if (kept.sha256 !== start.sha256)
      return [{ file: marker, reason: `says sha256 ${kept.sha256.slice(0, 12)}…, the run started from ${start.sha256.slice(0, 12)}…` }];
    const text = await readFile(join(chainDir, script), 'utf8').catch(() => null);
    if (text === null) return [{ file: script, reason: 'missing' }];
    if (sha256Hex(text) !== kept.sha256) return [{ file: script, reason: `does not match the sha256 in ${marker}: the start script was changed` }];
    return [];
  } catch (error) {
    if (!(error instanceof DamagedRunError)) throw error;
    return [{ file: error.damage.file, reason: error.damage.reason }];
  }
}
