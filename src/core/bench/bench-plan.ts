import { createHash } from 'node:crypto';
import { listTasks, whyNoTask } from '../catalog/catalog.js';
import { parseHintSpec, formatHintSpec } from '../catalog/hints.js';
import { parseRecordRange } from '../catalog/record-range.js';
import type { TrackManifest, TrackName } from '../catalog/schema.js';
import { UserError } from '../errors.js';
import type { ChainStart } from '../store/schema.js';
import type { ScaffoldSpec } from '../search/scaffolds/index.js';
import type { AgentEntry, BenchSpec } from './bench-spec.js';

/** One cell of the matrix. Its id is a function of the cell alone, so a re-run finds the same folder. */
export interface PlannedRun {
  run_id: string;
  track: TrackName;
  record: number;
  hint: string;
  agent: AgentEntry;
  scaffold: ScaffoldSpec;
  seed: number;
  /** A chain's step (README "Chains"): its place, and the run whose best script it starts from (null: step 0). */
  chain?: { step: number; after: string | null };
  /**
   * Where a chain's step starts, set by the chain runner once the step before ended: `path` is the script node 0
   * holds instead of record i's (a file in the chain's folder; null for step 0, which starts from record i).
   */
  start?: { path: string | null; chain: ChainStart };
}

/** Expands the matrix in a fixed order; every record must start a task on its track. */
export function planBench(spec: BenchSpec, manifests: ReadonlyMap<TrackName, TrackManifest>): PlannedRun[] {
  const seeds = typeof spec.seeds === 'number' ? Array.from({ length: spec.seeds }, (_, i) => i + 1) : spec.seeds;
  const hints = spec.hints.map((h) => formatHintSpec(parseHintSpec(h)));
  const runs: PlannedRun[] = [];
  for (const track of spec.tracks) {
    const manifest = manifests.get(track);
    if (!manifest) throw new Error(`no manifest loaded for track ${track}`);
    const tasks = new Set(listTasks(manifest).map((t) => t.record));
    const records = typeof spec.records === 'string' ? parseRecordRange(spec.records) : spec.records;
    for (const record of records) {
      if (!tasks.has(record)) {
        throw new UserError(
          `track ${track} has no task for record ${record}: ${whyNoTask(manifest, record)}`,
          `tasks on ${track}: records ${[...tasks].join(', ')}`,
        );
      }
      for (const hint of hints) {
        for (const agent of spec.agents) {
          for (const scaffold of spec.scaffolds) {
            for (const seed of seeds) {
              runs.push({ run_id: runId({ track, record, hint, agent, scaffold, seed }), track, record, hint, agent, scaffold, seed });
            }
          }
        }
      }
    }
  }
  const ids = new Set(runs.map((r) => r.run_id));
  if (ids.size !== runs.length) throw new UserError('the bench lists the same run twice', 'remove repeated hints, agents, scaffolds or seeds');
  return spec.chain ? chainSteps(spec, runs) : runs;
}

/**
 * A chain is one configuration over consecutive tasks, run in record order: step k starts from step k−1's best, so
 * nothing of the matrix may vary and nothing may run beside it.
 */
function chainSteps(spec: BenchSpec, runs: PlannedRun[]): PlannedRun[] {
  const fix = 'a chain is one track, hint, agent, scaffold and seed over consecutive records (`speedrun chain --help`)';
  const varying: string[] = (['tracks', 'hints', 'agents', 'scaffolds'] as const).filter((field) => spec[field].length !== 1);
  if (typeof spec.seeds === 'number' ? spec.seeds !== 1 : spec.seeds.length !== 1) varying.push('seeds');
  if (varying.length > 0) throw new UserError(`a chain takes one value each, but ${varying.join(', ')} list several`, fix);
  if (spec.parallel !== 1) throw new UserError('a chain runs its steps one after another (parallel 1)', 'drop parallel from the chain spec');
  const records = runs.map((r) => r.record);
  if (records.some((record, i) => i > 0 && record !== records[i - 1]! + 1)) {
    throw new UserError(`a chain's records must be consecutive, got ${records.join(', ')}`, fix);
  }
  return runs.map((run, step) => ({ ...run, chain: { step, after: step === 0 ? null : runs[step - 1]!.run_id } }));
}

/** `reference`, or `llm:o3-mini` for an LLM agent's model. */
export function agentLabel(agent: AgentEntry): string {
  if (typeof agent === 'string') return agent;
  return agent.model ? `${agent.name}:${agent.model}` : agent.name;
}

export function scaffoldLabel(scaffold: ScaffoldSpec): string {
  return typeof scaffold === 'string' ? scaffold : scaffold.name;
}

function runId(run: Omit<PlannedRun, 'run_id'>): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9.+_-]/g, '_');
  // Settings beyond the names (scaffold parameters, endpoint overrides) get a short hash so two cells never collide.
  const extra = [run.agent, run.scaffold].filter((x) => typeof x !== 'string');
  const suffix = extra.length ? `-${createHash('sha256').update(JSON.stringify(extra)).digest('hex').slice(0, 6)}` : '';
  return `${run.track}-r${run.record}-${safe(run.hint)}-${safe(agentLabel(run.agent))}-${safe(scaffoldLabel(run.scaffold))}-s${run.seed}${suffix}`;
}
