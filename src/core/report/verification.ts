import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { StoredRun } from '../store/load-results.js';

/**
 * How far a run's score can be trusted, from files beside its run.json. The integrity checks and the re-run
 * verification are being built in parallel with the report, so this module is the one place that knows their files:
 * it reads them loosely (unknown fields ignored, several spellings of a verdict accepted) and anything it cannot read
 * leaves the run "unverified" rather than failing the report.
 *
 *   verified    a verification.json says the best node re-ran and passed, and nothing is flagged or rejected
 *   flagged     an integrity check flagged the best node, verification was inconclusive, or the FSR carries flags
 *   rejected    an integrity check or the verification rejected the best node: the score should not be used
 *   unverified  nothing says either way (the default for every run until verification exists)
 */
export const IntegrityStatus = z.enum(['verified', 'unverified', 'flagged', 'rejected']);
export type IntegrityStatus = z.infer<typeof IntegrityStatus>;

export interface RunIntegrity {
  status: IntegrityStatus;
  /** Why, in words: one line per source that had something to say. */
  notes: string[];
}

/** Verdict spellings seen in the checks' drafts, mapped onto the three outcomes. */
const PASS = new Set(['ok', 'pass', 'passed', 'verified', 'valid', 'true']);
const FLAG = new Set(['flag', 'flagged', 'warn', 'warning', 'inconclusive', 'review']);
const FAIL = new Set(['reject', 'rejected', 'fail', 'failed', 'invalid', 'false']);

const Loose = z.looseObject({
  verdict: z.unknown().optional(),
  status: z.unknown().optional(),
  verified: z.unknown().optional(),
  passed: z.unknown().optional(),
  reason: z.unknown().optional(),
  message: z.unknown().optional(),
});

type Outcome = 'pass' | 'flag' | 'fail' | null;

/** The outcome of a loosely read verdict object; null when it says nothing recognisable. */
function outcomeOf(value: unknown): Outcome {
  const parsed = Loose.safeParse(value);
  if (!parsed.success) return null;
  for (const field of [parsed.data.verdict, parsed.data.status, parsed.data.verified, parsed.data.passed]) {
    if (field === undefined || field === null) continue;
    const word = String(field).toLowerCase();
    if (FAIL.has(word)) return 'fail';
    if (FLAG.has(word)) return 'flag';
    if (PASS.has(word)) return 'pass';
  }
  return null;
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Reads a run's verification and its best node's integrity verdict (if any) and combines them. */
export async function readRunIntegrity(run: StoredRun): Promise<RunIntegrity> {
  const notes: string[] = [];
  const best = run.summary.best?.node ?? null;
  let verification: Outcome = null;
  let integrity: Outcome = null;
  if (run.dir) {
    verification = outcomeOf(await readJson(join(run.dir, 'verification.json')));
    if (best !== null) {
      // A separate integrity.json, or an `integrity` object inside the node's result.json.
      const nodeDir = join(run.dir, 'nodes', String(best));
      const own = await readJson(join(nodeDir, 'integrity.json'));
      const inResult = ((await readJson(join(nodeDir, 'result.json'))) as { integrity?: unknown } | undefined)?.integrity;
      integrity = outcomeOf(own) ?? outcomeOf(inResult);
    }
  }
  if (integrity) notes.push(`integrity check of the best node: ${integrity}`);
  if (verification) notes.push(`re-run verification: ${verification}`);
  notes.push(...run.summary.fsr_flags);
  if (integrity === 'fail' || verification === 'fail') return { status: 'rejected', notes };
  if (integrity === 'flag' || verification === 'flag' || run.summary.fsr_flags.length > 0) return { status: 'flagged', notes };
  // The baseline as best node means no agent edit is being scored: FSR 0 needs no re-run to be believed.
  if (best === 0 && integrity === null && verification === null) return { status: 'verified', notes: ['the baseline is the best node: no agent edit is scored'] };
  if (verification === 'pass') return { status: 'verified', notes };
  return { status: 'unverified', notes: notes.length ? notes : ['no verification.json beside run.json'] };
}

/** Many runs at a time, but not all 10,000 files at once. */
export async function readIntegrities(runs: readonly StoredRun[], concurrency = 64): Promise<RunIntegrity[]> {
  const out: RunIntegrity[] = new Array<RunIntegrity>(runs.length);
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const i = next++;
      out[i] = await readRunIntegrity(runs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, runs.length) }, worker));
  return out;
}

/** A group's status: its worst run decides, and it is verified only when every run is. */
export function groupIntegrity(statuses: readonly IntegrityStatus[]): IntegrityStatus {
  if (statuses.includes('rejected')) return 'rejected';
  if (statuses.includes('flagged')) return 'flagged';
  if (statuses.length > 0 && statuses.every((s) => s === 'verified')) return 'verified';
  return 'unverified';
}
