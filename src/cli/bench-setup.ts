import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { loadHints, loadTrack, parseTrackName } from '../core/catalog/catalog.js';
import { parseHintSpec, requireHintLevels } from '../core/catalog/hints.js';
import type { HintManifest, TrackManifest, TrackName } from '../core/catalog/schema.js';
import { planBench, type PlannedRun } from '../core/bench/bench-plan.js';
import { BenchSpec, type AgentEntry, type BenchSpecInput } from '../core/bench/bench-spec.js';
import { UserError } from '../core/errors.js';
import type { ScaffoldSpec } from '../core/search/scaffolds/index.js';

export async function loadManifests(tracks: readonly TrackName[]): Promise<Map<TrackName, TrackManifest>> {
  return new Map(await Promise.all(tracks.map(async (t) => [t, await loadTrack(t)] as const)));
}

/**
 * The runs of a bench, every hint level checked against its record's manifest, so a bench (or `run`, or the
 * terminal UI) that asks for L9 where upstream ships no level-9 documents stops before anything starts.
 */
export async function planRuns(spec: BenchSpec): Promise<PlannedRun[]> {
  const runs = planBench(spec, await loadManifests(spec.tracks));
  const hints = new Map<TrackName, HintManifest>();
  for (const run of runs) {
    const levels = parseHintSpec(run.hint);
    if (levels.length === 0) continue;
    if (!hints.has(run.track)) hints.set(run.track, await loadHints(run.track));
    requireHintLevels(hints.get(run.track)!, run.record, levels);
  }
  return runs;
}

/** A bench spec from a YAML file, every bad field named with its path. */
export async function loadBenchFile(path: string): Promise<BenchSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UserError(`cannot read bench file ${path}`, 'pass the path of a YAML bench spec');
  }
  const document = parseDocument(text);
  if (document.errors[0]) throw new UserError(`${path}: not valid YAML: ${document.errors[0].message}`, `fix the YAML syntax in ${path}`);
  return parseBenchSpec(document.toJS(), path);
}

export function parseBenchSpec(value: unknown, source: string): BenchSpec {
  const parsed = BenchSpec.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new UserError(`${source}: ${problems.join('; ')}`, 'fix the bench spec (see `speedrun bench --help`)');
  }
  return parsed.data;
}

/** `reference`, `null`, `llm:o3-mini` (an LLM agent with that model), `replay:RUN_DIR`. */
export function parseAgentList(list: string): AgentEntry[] {
  return splitList(list).map((item) => {
    const [name, arg] = splitOnce(item, ':');
    if (name === 'llm') return arg ? { name, model: arg } : name;
    if (name === 'replay') return arg ? { name, replay: arg } : name;
    return item;
  });
}

export function splitList(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** `speedrun run`'s one cell: a bench of one, its id stamped with the time (and a random tail) so runs never collide. */
export async function singleRunCell(cell: {
  track: string;
  record: number;
  hint: string;
  agent: { name: string; model?: string; base_url?: string; edit_format?: string; replay?: string };
  scaffold: ScaffoldSpec;
  seed: number;
  at?: Date;
}): Promise<PlannedRun> {
  const track = parseTrackName(cell.track);
  const { name, ...rest } = cell.agent;
  const settings = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const input: BenchSpecInput = {
    tracks: [track],
    records: [cell.record],
    hints: [cell.hint],
    agents: [Object.keys(settings).length ? { name, ...settings } : name],
    scaffolds: [cell.scaffold],
    seeds: [cell.seed],
  };
  const [planned] = await planRuns(parseBenchSpec(input, 'the command line'));
  return { ...planned!, run_id: `${folderStamp(cell.at ?? new Date())}-${planned!.run_id}-${randomBytes(2).toString('hex')}` };
}

/** 2026-11-27T01:05:15Z → "20261127-010515": sortable, and safe in a folder name. */
export function folderStamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}
