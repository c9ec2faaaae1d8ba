import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../catalog/files.js';
import { UserError } from '../errors.js';
import { readJsonIfPresent, writeFileAtomic, writeJsonAtomic } from '../fs-atomic.js';
import { FINAL_STATUSES } from '../search/run-engine.js';
import { NODE_FILES, nodeDirOf } from '../store/layout.js';
import { ChainStart, type RunSummary } from '../store/schema.js';
import type { PlannedRun } from './bench-plan.js';

/** The chain's own folder beside its run folders: step k's start script and where it came from. */
export const CHAIN_DIR = 'chain';

/**
 * What step k+1 starts from, given step k's summary (README "Chains"):
 * - step k is not over (failed, aborted, or never ran): nothing; the chain stops there, and a resume runs step k again;
 * - step k has a best node (the start script counts as a node, so it is at worst step k's own start): that node;
 * - step k finished with no valid node at all (not even its start script reached the target on this machine): step
 *   k's own start script is carried on, so a chain is never cut short by one step whose trainings all failed.
 */
export function chainSource(previous: RunSummary | null): { from: 'best' | 'carried'; node: number } | null {
  if (!previous || !FINAL_STATUSES.includes(previous.status)) return null;
  return previous.best ? { from: 'best', node: previous.best.node } : { from: 'carried', node: 0 };
}

/**
 * The start of a chain's step: step 0 is record i's own script; step k ≥ 1 is a copy of step k−1's chosen node in
 * the chain's folder (chain/step-k.py, then chain/step-k.json saying where it came from). Written once: a resumed
 * chain reads the same file back, so a step never starts from a different script than it was started with.
 * null when the step before is not over.
 */
export async function stepStart(
  dir: string,
  run: PlannedRun,
  previous: RunSummary | null,
  recordSha256: string,
): Promise<NonNullable<PlannedRun['start']> | null> {
  const step = run.chain?.step ?? 0;
  if (step === 0 || !run.chain?.after) return { path: null, chain: { step: 0, from: 'record', run_id: null, node: null, file: null, sha256: recordSha256 } };
  const file = `${CHAIN_DIR}/step-${step}.py`;
  const path = join(dir, file);
  const marker = join(dir, CHAIN_DIR, `step-${step}.json`);
  const kept = await readJsonIfPresent(marker).catch(() => undefined);
  if (kept !== undefined) {
    const parsed = ChainStart.safeParse(kept);
    const script = await readFile(path, 'utf8').catch(() => null);
    if (!parsed.success || script === null || sha256Hex(script) !== parsed.data.sha256) {
      throw new UserError(
        `${marker} does not match ${path}: the chain's start of step ${step} was changed`,
        'restore both files, or start the chain again in another --out folder',
      );
    }
    return { path, chain: parsed.data };
  }
  const source = chainSource(previous);
  if (!source) return null;
  const script = await readFile(join(nodeDirOf(join(dir, run.chain.after), source.node), NODE_FILES.script), 'utf8');
  const start: ChainStart = { step, from: source.from, run_id: run.chain.after, node: source.node, file, sha256: sha256Hex(script) };
  await mkdir(join(dir, CHAIN_DIR), { recursive: true });
  // The script first, then the note that vouches for it: a kill between the two leaves a step that is worked out again.
  await writeFileAtomic(path, script);
  await writeJsonAtomic(marker, start);
  return { path, chain: start };
}
