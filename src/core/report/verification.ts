import { z } from 'zod';
import { withholdingFlags } from '../search/best-node.js';
import type { StoredRun } from '../store/load-results.js';

/**
 * How far a run's score can be trusted, from what loadResults read beside it: the best node's integrity audit (in its
 * result.json) and the run's verification.json (`speedrun verify`).
 *
 *   verified    the best node re-ran and reproduced (or the baseline is best: no agent edit is scored)
 *   flagged     the audit flagged the best node, or the FSR carries flags: a human should look
 *   rejected    the audit rejected the best node, or its speedup did not reproduce: the score should not be used
 *   unverified  nothing says either way (no verification yet)
 */
export const IntegrityStatus = z.enum(['verified', 'unverified', 'flagged', 'rejected']);
export type IntegrityStatus = z.infer<typeof IntegrityStatus>;

export interface RunIntegrity {
  status: IntegrityStatus;
  /** Why, in words: one line per source that had something to say. */
  notes: string[];
}

export function runIntegrity(run: StoredRun): RunIntegrity {
  const best = run.summary.best?.node ?? null;
  const bestNode = best === null ? undefined : run.nodes.find((n) => n.node === best);
  const audit = bestNode?.integrity ?? null;
  // Flags that only say the task's next record makes the same change cast no doubt (search/best-node.ts).
  const withheld = bestNode ? withholdingFlags(bestNode) : [];
  const verification = run.verification ?? null;
  const notes: string[] = [];
  if (audit && audit.verdict !== 'ok') {
    notes.push(
      `integrity audit of the best node: ${audit.verdict} (${[...new Set(audit.findings.map((f) => `${f.rule}${f.by_record ? ' (the record’s own change)' : ''}`))].join(', ')})`,
    );
  }
  const flagged = run.summary.flagged_best;
  if (flagged && !verification?.cleared_flags.length) {
    notes.push(`node ${flagged.node} was faster (FSR ${flagged.fsr?.toFixed(3) ?? '–'}) but flagged, so not claimed: ${flagged.flags.join('; ')}`);
  }
  if (verification) {
    notes.push(`re-run verification: ${verification.status}${verification.reasons.length ? ` (${verification.reasons.join('; ')})` : ''}`);
    if (verification.cleared_flags.length)
      notes.push(`the verification re-ran node ${verification.node} in fresh folders and cleared its flags: ${verification.cleared_flags.join('; ')}`);
  }
  notes.push(...run.summary.fsr_flags);
  if (audit?.verdict === 'reject' || verification?.status === 'unverified') return { status: 'rejected', notes };
  if ((withheld.length > 0 && !verification) || run.summary.fsr_flags.length > 0) return { status: 'flagged', notes };
  if (verification) return { status: 'verified', notes };
  // The baseline as best node means no agent edit is being scored: FSR 0 needs no re-run to be believed.
  if (best === 0) return { status: 'verified', notes: ['the baseline is the best node: no agent edit is scored'] };
  return { status: 'unverified', notes: notes.length ? notes : ['no verification.json beside run.json (speedrun verify)'] };
}

/** A group's status: its worst run decides, and it is verified only when every run is. */
export function groupIntegrity(statuses: readonly IntegrityStatus[]): IntegrityStatus {
  if (statuses.includes('rejected')) return 'rejected';
  if (statuses.includes('flagged')) return 'flagged';
  if (statuses.length > 0 && statuses.every((s) => s === 'verified')) return 'verified';
  return 'unverified';
}
