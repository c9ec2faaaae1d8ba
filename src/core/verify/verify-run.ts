import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../catalog/files.js';
import type { Timing } from '../catalog/task-timing.js';
import type { SlotPool } from '../exec/slot-pool.js';
import type { Executor } from '../exec/types.js';
import { describeFinding } from '../measure/integrity-report.js';
import type { Launch } from '../exec/node-job.js';
import { executeInSlot } from '../train/execute-node.js';
import { withFolderLock } from '../store/folder-lock.js';
import { DamagedRunError } from '../store/damaged-run.js';
import { NODE_FILES, NODES_DIR, VERIFICATION_DIR } from '../store/layout.js';
import { readNodeText, readRunFile } from '../store/run-store.js';
import { judge } from './verdict.js';
import { readVerification, writeVerification, type VerificationFile, type VerificationRepeat } from '../store/verification-file.js';
import { writeFileAtomic } from '../fs-atomic.js';

export interface VerifyRunInput {
  /** A finished run's folder. */
  runDir: string;
  repeats: number;
  alpha: number;
  /** The run's target and rule: each repeat's time is read as the run read its nodes'. */
  timing: Timing;
  /** The source of the record script the run started from (its node 0). */
  baselineScript: string;
  executor: Executor;
  slots: SlotPool;
  launch: Launch;
  signal?: AbortSignal;
  onRepeat?: (repeat: VerificationRepeat) => void;
  now?: () => Date;
}

/**
 * Re-runs a finished run's best node `repeats` times, each in a fresh folder holding only a copy of its script,
 * interleaved with the baseline record (baseline, node, baseline, node, ...) as calibration interleaves records, so
 * slow drifts of the machine hit both alike. A flagged node faster than the best is tried first: if it reproduces,
 * the verification clears its flags and scores it. Writes verification.json into the run folder. A run verified
 * before with the same nodes, scripts, repeats and alpha is not run again (a stopped `verify` resumes run by run).
 */
export function verifyRun(input: VerifyRunInput): Promise<VerificationFile> {
  // Verify writes into the run folder (verification/, verification.json): never beside a live run or bench.
  return withFolderLock(input.runDir, 'verify', () => verifyLocked(input));
}

async function verifyLocked(input: VerifyRunInput): Promise<VerificationFile> {
  const { runDir } = input;
  const stored = await readRunFile(runDir);
  if (!stored?.result) throw new Error(`${runDir} holds no finished run (run.json has no result)`);
  const summary = stored.result;
  const now = input.now ?? (() => new Date());
  const base = {
    version: 1 as const,
    run_id: summary.run_id,
    repeats: input.repeats,
    alpha: input.alpha,
    target_val_loss: input.timing.target,
    timing_rule: input.timing.rule,
    fsr_claimed: summary.fsr,
  };

  // A flagged node faster than the claimed best is tried first: passing in fresh folders clears its flags.
  const candidates = [summary.flagged_best?.node, summary.best?.node].filter((n): n is number => n !== undefined && n !== 0);
  if (candidates.length === 0) {
    const file: VerificationFile = {
      ...base,
      verified_at: now().toISOString(),
      status: 'baseline',
      reasons: ['the best node is the baseline record itself: nothing to verify'],
      node: null,
      script_sha256: null,
      node_stats: null,
      baseline_stats: null,
      fsr_verified: summary.fsr,
      runs: [],
      cleared_flags: [],
      attempts: [],
    };
    await writeVerification(runDir, file);
    return file;
  }

  const scripts = new Map(await Promise.all(candidates.map(async (n) => [n, await requireScript(runDir, n)] as const)));
  const previous = await readVerification(runDir);
  if (previous && sameVerification(previous, input, candidates, scripts)) return previous;

  const session = now().toISOString().replace(/[:.]/g, '-');
  const attempts: VerificationFile['attempts'] = [];
  let file: VerificationFile | null = null;
  for (const node of candidates) {
    const script = scripts.get(node)!;
    const runs = await repeatInterleaved(input, summary.run_id, session, node, script);
    const judged = judge({ summary, node, targetValLoss: input.timing.target, alpha: input.alpha, runs });
    const flags = node === summary.flagged_best?.node ? summary.flagged_best.flags : [];
    file = {
      ...base,
      verified_at: now().toISOString(),
      node,
      script_sha256: sha256Hex(script),
      runs,
      ...judged,
      cleared_flags: judged.status === 'verified' ? flags : [],
      attempts: [...attempts],
    };
    if (judged.status === 'verified') break;
    attempts.push({ node, status: judged.status, reasons: judged.reasons });
  }
  await writeVerification(runDir, file!);
  return file!;
}

/** The same candidates, scripts, repeats and alpha were verified before: a stopped `verify` resumes run by run. */
function sameVerification(previous: VerificationFile, input: VerifyRunInput, candidates: number[], scripts: Map<number, string>): boolean {
  if (previous.repeats !== input.repeats || previous.alpha !== input.alpha || previous.node === null) return false;
  const tried = [...previous.attempts.map((a) => a.node), previous.node];
  return tried.every((n, i) => n === candidates[i]) && previous.script_sha256 === sha256Hex(scripts.get(previous.node) ?? '');
}

/** The node and the baseline record, `repeats` times each, interleaved (baseline, node, baseline, node, ...). */
async function repeatInterleaved(input: VerifyRunInput, runId: string, session: string, node: number, nodeScript: string): Promise<VerificationRepeat[]> {
  const runs: VerificationRepeat[] = [];
  for (let repeat = 1; repeat <= input.repeats; repeat++) {
    for (const which of ['baseline', 'node'] as const) {
      input.signal?.throwIfAborted();
      const script = which === 'node' ? nodeScript : input.baselineScript;
      const dir = join(VERIFICATION_DIR, session, `${which === 'node' ? `node-${node}` : `baseline-for-${node}`}-r${repeat}`);
      const result = await trainFresh({ ...input, runId }, join(input.runDir, dir), script, which === 'node' ? node : 0);
      const run: VerificationRepeat = {
        script: which,
        repeat,
        dir,
        status: result.status,
        time_to_target_ms: result.time_to_target_ms,
        final_val_loss: result.final?.val_loss ?? null,
        wall_ms: result.wall_ms,
        flags: result.integrity?.findings.map(describeFinding) ?? [],
      };
      runs.push(run);
      input.onRepeat?.(run);
    }
  }
  return runs;
}

/** One training in a folder of its own: nothing a previous training left next to the script can help it. */
async function trainFresh(input: VerifyRunInput & { runId: string }, dir: string, script: string, node: number) {
  await mkdir(dir, { recursive: true });
  const scriptPath = join(dir, NODE_FILES.script);
  await writeFileAtomic(scriptPath, script);
  return executeInSlot(input.slots, {
    runId: `${input.runId}-verify`,
    node,
    parent: null,
    operator: node === 0 ? 'baseline' : 'improve',
    scriptPath,
    scriptSha256: sha256Hex(script),
    workDir: dir,
    executor: input.executor,
    launch: input.launch,
    timing: input.timing,
    signal: input.signal,
  });
}

async function requireScript(runDir: string, node: number): Promise<string> {
  const script = await readNodeText(runDir, node, 'script');
  if (script === null)
    throw new DamagedRunError({ dir: runDir, file: join(NODES_DIR, String(node), NODE_FILES.script), reason: 'missing: the run names this node as its best' });
  return script;
}
