import { join } from 'node:path';
import { z } from 'zod';
import { loadTrack, parseTrackName } from '../catalog/catalog.js';
import { parseLog } from '../measure/log-parser.js';
import { DamagedRunError, readStoreJson } from '../store/damaged-run.js';
import { NODE_FILES, NODES_DIR, RUN_FILE } from '../store/layout.js';
import { readRunSummary } from '../store/load-results.js';
import { nodeIds, readNodeResult, readNodeText } from '../store/run-store.js';
import { RunConfig, type RunSummary } from '../store/schema.js';
import type { CatalogRun } from './view-catalog.js';
import { guarded, readText, type Damage } from './view-data.js';

/**
 * The loss curves of a run's page (key `curves/<bench>/<run>`, loaded when the run page is shown): every node's
 * validation points, and the record's own curve to draw them against. The catalog keeps no training log of a record
 * (`records sync` fetches scripts, hints and the paper's notebook), so record i's curve is its script as trained in
 * this run: node 0 when it holds record i's own script, else the scoring round's training of record i; record i+1's
 * is the scoring round's, where there was one. Logs are read with the harness's own parser (measure/log-parser.ts).
 */

/** A curve is cut to about this many points (evenly, the last one kept): a page draws hundreds of nodes' curves. */
export const CURVE_POINTS = 300;

/** A validation point: [step, train_time_ms (null where the log prints no clock), val_loss]. */
export type CurvePoint = [number, number | null, number];

export interface NodeCurve {
  node: number;
  points: CurvePoint[];
  /** A node not trained again because its script is another node's: that node's curve is shown for it. */
  same_as: number | null;
}

export interface ReferenceCurve {
  /** record: record i's own script; next: record i+1's. */
  id: 'record' | 'next';
  label: string;
  /** Where it was read, relative to the run folder. */
  file: string;
  points: CurvePoint[];
}

export interface CurvesData {
  track: string | null;
  record: number | null;
  target_val_loss: number | null;
  nodes: NodeCurve[];
  references: ReferenceCurve[];
  /** Where the record's curve comes from, or why there is none. */
  reference_notes: string[];
  problems: Damage[];
}

const ConfigOnly = z.object({ config: z.unknown() });

export async function curvesData(run: CatalogRun): Promise<CurvesData> {
  const problems: Damage[] = [];
  const damage = (error: unknown) => {
    if (!(error instanceof DamagedRunError)) throw error;
    problems.push({ file: error.damage.file, reason: error.damage.reason });
  };
  let config: RunConfig | null = null;
  let summary: RunSummary | null = null;
  if (guarded(run, RUN_FILE)) {
    try {
      const parsed = RunConfig.safeParse((await readStoreJson(run.dir, join(run.dir, RUN_FILE), ConfigOnly))?.config);
      config = parsed.success ? parsed.data : null;
      summary = await readRunSummary(run.dir);
    } catch (error) {
      damage(error);
    }
  }

  const nodes: NodeCurve[] = [];
  const copies: { node: number; of: number }[] = [];
  for (const node of guarded(run, NODES_DIR) ? await nodeIds(run.dir) : []) {
    const rel = join(NODES_DIR, String(node));
    if (!guarded(run, join(rel, NODE_FILES.stdout), join(rel, NODE_FILES.result))) {
      problems.push({ file: join(rel, NODE_FILES.stdout), reason: 'a link outside the results folder; not read' });
      continue;
    }
    const log = await readNodeText(run.dir, node, 'stdout');
    if (log !== null) {
      nodes.push({ node, points: curveOf(log), same_as: null });
      continue;
    }
    const duplicateOf = await readNodeResult(run.dir, node).then(
      (r) => r?.duplicate_of ?? null,
      (error: unknown) => (damage(error), null),
    );
    if (duplicateOf !== null) copies.push({ node, of: duplicateOf });
  }
  for (const { node, of } of copies) {
    const source = nodes.find((n) => n.node === of);
    if (source) nodes.push({ node, points: source.points, same_as: of });
  }
  nodes.sort((a, b) => a.node - b.node);

  const track = config?.track ?? summary?.track ?? null;
  const record = config?.record ?? summary?.record ?? null;
  const { references, notes } = await referenceCurves(run, config, summary, nodes);
  return { track, record, target_val_loss: await targetOf(config, summary, track), nodes, references, reference_notes: notes, problems };
}

/** A log's validation points as the harness reads them, cut to about CURVE_POINTS. */
export function curveOf(log: string): CurvePoint[] {
  const points = parseLog(log).points.map((p): CurvePoint => [p.step, p.train_time_ms, p.val_loss]);
  if (points.length <= CURVE_POINTS) return points;
  const stride = points.length / (CURVE_POINTS - 1);
  const kept = Array.from({ length: CURVE_POINTS - 1 }, (_, i) => points[Math.floor(i * stride)]!);
  return [...kept, points.at(-1)!];
}

async function referenceCurves(
  run: CatalogRun,
  config: RunConfig | null,
  summary: RunSummary | null,
  nodes: readonly NodeCurve[],
): Promise<{ references: ReferenceCurve[]; notes: string[] }> {
  const i = config?.record ?? summary?.record;
  const name = (n: number | undefined) => (n === undefined ? 'the record' : `record ${n}`);
  const notes = [
    `The catalog keeps no training log of ${name(i)} (records sync fetches scripts and hints only): its curve is its script as trained in this run.`,
  ];
  const references: ReferenceCurve[] = [];
  const chain = config?.chain;
  const node0 = nodes.find((n) => n.node === 0);
  const scoring = summary?.scoring;

  // Record i: node 0 when it is record i's own script (a run of its own, or a chain's first step), else the scoring round.
  if (chain && chain.from !== 'record') {
    notes.push(
      `Node 0 is this chain step's start script (step ${chain.step - 1}'s ${chain.from === 'best' ? `node ${chain.node}` : 'start'}), not ${name(i)}'s own.`,
    );
  } else if (node0 && node0.points.length > 0) {
    references.push({
      id: 'record',
      label: `${name(i)} (its own script, node 0 of this run)`,
      file: join(NODES_DIR, '0', NODE_FILES.stdout),
      points: node0.points,
    });
  }
  const fromRound = async (id: ReferenceCurve['id'], runs: readonly { dir: string; repeat: number }[] | undefined, label: string) => {
    for (const timed of runs ?? []) {
      const file = join(timed.dir, NODE_FILES.stdout);
      if (!timed.dir.startsWith('scoring/') || !guarded(run, file)) continue;
      const log = await readText(join(run.dir, file));
      const points = log === null ? [] : curveOf(log);
      if (points.length > 0) return references.push({ id, label: `${label} (scoring round, repeat ${timed.repeat})`, file, points });
    }
    return 0;
  };
  if (!references.some((r) => r.id === 'record')) await fromRound('record', scoring?.baseline.runs, name(i));
  if (!references.some((r) => r.id === 'record')) {
    const why =
      chain && chain.from !== 'record'
        ? 'node 0 is not its script'
        : !node0
          ? 'node 0 has no log (timed by calibration or the record table, or not trained yet)'
          : 'node 0’s log holds no validation line';
    notes.push(`No curve of ${name(i)}: ${why}, and no scoring round trained it.`);
  }
  await fromRound('next', scoring?.next.runs, name(i === undefined ? undefined : i + 1));
  return { references, notes };
}

/** The target the run was timed against: run.json's, else the track's. */
async function targetOf(config: RunConfig | null, summary: RunSummary | null, track: string | null): Promise<number | null> {
  const own = config?.target_val_loss ?? summary?.target_val_loss;
  if (own !== undefined) return own;
  if (!track) return null;
  try {
    return (await loadTrack(parseTrackName(track))).target_val_loss;
  } catch {
    return null;
  }
}
