import { randomBytes } from 'node:crypto';
import { loadHints, loadTrack, parseTrackName } from '../catalog/catalog.js';
import { parseHintSpec, requireHintLevels } from '../catalog/hints.js';
import { loadOfferedHints } from '../catalog/offered-hints.js';
import type { CacheLayout } from '../paths.js';
import type { HintManifest, TrackManifest, TrackName } from '../catalog/schema.js';
import { parseBenchSpec } from '../bench/bench-file.js';
import { planBench, type PlannedRun } from '../bench/bench-plan.js';
import type { AgentEntry, BenchSpec, BenchSpecInput } from '../bench/bench-spec.js';
import type { ScaffoldSpec } from '../search/scaffolds/index.js';

export async function loadManifests(tracks: readonly TrackName[]): Promise<Map<TrackName, TrackManifest>> {
  return new Map(await Promise.all(tracks.map(async (t) => [t, await loadTrack(t)] as const)));
}

/**
 * The runs of a bench, every hint level checked against its record's manifest, so a bench (or `run`, or the
 * terminal UI) that asks for L9 where upstream ships no level-9 documents stops before anything starts. With the
 * cache, a level the manifest lacks may come from an accepted generated hint (catalog/offered-hints.ts).
 */
export async function planRuns(spec: BenchSpec, cache?: CacheLayout): Promise<PlannedRun[]> {
  const runs = planBench(spec, await loadManifests(spec.tracks));
  const hints = new Map<TrackName, HintManifest>();
  for (const run of runs) {
    const levels = parseHintSpec(run.hint);
    if (levels.length === 0) continue;
    if (!hints.has(run.track)) hints.set(run.track, cache ? await loadOfferedHints(run.track, cache) : await loadHints(run.track));
    requireHintLevels(hints.get(run.track)!, run.record, levels);
  }
  return runs;
}

/** The one cell of `speedrun run` (and of the demo and the terminal UI's run). */
export interface SingleCell {
  track: string;
  record: number;
  hint: string;
  agent: { name: string; model?: string; base_url?: string; edit_format?: string; replay?: string };
  scaffold: ScaffoldSpec;
  seed: number;
}

/** A bench of one cell: the matrix fields of its spec (the rest, how it runs, comes from the caller's settings). */
export function singleCellSpec(cell: SingleCell): BenchSpecInput {
  const { name, ...rest } = cell.agent;
  const settings = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const agent = (Object.keys(settings).length ? { name, ...settings } : name) as AgentEntry;
  return { tracks: [parseTrackName(cell.track)], records: [cell.record], hints: [cell.hint], agents: [agent], scaffolds: [cell.scaffold], seeds: [cell.seed] };
}

/** `speedrun run`'s one cell: a bench of one, its id stamped with the time (and a random tail) so runs never collide. */
export async function singleRunCell(cell: SingleCell & { at?: Date }, cache?: CacheLayout): Promise<PlannedRun> {
  const [planned] = await planRuns(parseBenchSpec(singleCellSpec(cell), 'the command line'), cache);
  return stampedRun(planned!, cell.at ?? new Date());
}

/** A run's id made unique by the time it starts (and a random tail), for runs that are not a cell of a bench folder. */
export function stampedRun(run: PlannedRun, at: Date): PlannedRun {
  return { ...run, run_id: `${folderStamp(at)}-${run.run_id}-${randomBytes(2).toString('hex')}` };
}

/** 2026-11-27T01:05:15Z → "20261127-010515": sortable, and safe in a folder name. */
export function folderStamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}
