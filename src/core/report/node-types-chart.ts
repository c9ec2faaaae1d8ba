import type { TopLevelSpec } from 'vega-lite';
import { chartBase } from './chart-style.js';
import type { NodeTypeRow } from './paper-schema.js';
import type { Report } from './schema.js';

/**
 * The paper's node-type figure: per configuration a panel of stacked bars, one bar per search step, buggy /
 * no improvement / improved in the paper's colours (aborted, ours only, in grey).
 */

const TYPES = [
  { key: 'buggy', label: 'buggy', color: '#FF8080' },
  { key: 'no_improvement', label: 'no improvement', color: '#FFB366' },
  { key: 'improved', label: 'improved', color: '#80CC80' },
  { key: 'aborted', label: 'aborted', color: '#BBBBBB' },
] as const;

/** Beyond this many configurations a panel each is unreadable (and slow to draw); panels then pool configurations. */
const MAX_PANELS = 12;

/**
 * Panels: one per configuration; with many, one per model · scaffold pooling the hints, as the paper's figure does
 * (counts add up, so the pooled shares are over all the pooled runs' first k nodes); with many of those, one per hint.
 */
function panels(report: Report): { rows: NodeTypeRow[]; order: string[]; pooled: string | null } {
  const labels = report.configurations.map((c) => c.label).filter((l) => report.node_types.some((r) => r.configuration === l));
  if (labels.length <= MAX_PANELS) return { rows: report.node_types, order: labels, pooled: null };
  const byLabel = new Map(report.configurations.map((c) => [c.label, c]));
  const modelScaffold = (label: string) => `${byLabel.get(label)?.model} · ${byLabel.get(label)?.scaffold}`;
  const groups = new Set(labels.map(modelScaffold));
  const [key, pooled] =
    groups.size <= 2 * MAX_PANELS
      ? [modelScaffold, 'model · scaffold, hints pooled']
      : [(l: string) => byLabel.get(l)?.hint ?? l, 'hint, models and scaffolds pooled'];
  const sums = new Map<string, NodeTypeRow>();
  for (const row of report.node_types) {
    const panel = key(row.configuration);
    const id = `${panel}\u0000${row.step}`;
    const acc = sums.get(id) ?? {
      ...row,
      configuration: panel,
      runs: 0,
      nodes: 0,
      buggy: 0,
      missed_target: 0,
      no_improvement: 0,
      improved: 0,
      faster_beyond_sd: 0,
      aborted: 0,
    };
    for (const f of ['runs', 'nodes', 'buggy', 'missed_target', 'no_improvement', 'improved', 'faster_beyond_sd', 'aborted'] as const) acc[f] += row[f];
    sums.set(id, acc);
  }
  return { rows: [...sums.values()], order: [...new Set(labels.map(key))], pooled };
}

export function nodeTypesByStep(report: Report): TopLevelSpec {
  const { rows, order, pooled } = panels(report);
  const values = rows.flatMap((row) =>
    TYPES.filter((t) => t.key !== 'aborted' || row.aborted > 0).map((t, order) => ({
      configuration: row.configuration,
      step: row.step,
      type: t.label,
      order,
      share: row.nodes ? row[t.key] / row.nodes : 0,
    })),
  );
  const types = TYPES.filter((t) => t.key !== 'aborted' || report.node_types.some((r) => r.aborted > 0));
  if (values.length === 0) {
    return {
      ...chartBase('Node types by search step'),
      width: 240,
      height: 60,
      data: { values: [{ text: 'no agent nodes' }] },
      mark: 'text',
      encoding: { text: { field: 'text' } },
    };
  }
  return {
    ...chartBase(`Node types by search step (share of the first k agent nodes${pooled ? `; per ${pooled}` : ''})`),
    data: { values },
    facet: { field: 'configuration', type: 'nominal', sort: order, title: null },
    columns: 4,
    spec: {
      width: 160,
      height: 110,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'step', type: 'ordinal', title: 'search step', axis: { labelAngle: 0, labelOverlap: 'greedy' } },
        y: { field: 'share', type: 'quantitative', title: 'share', stack: 'zero', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
        color: {
          field: 'type',
          type: 'nominal',
          title: 'node type',
          sort: types.map((t) => t.label),
          scale: { domain: types.map((t) => t.label), range: types.map((t) => t.color) },
        },
        order: { field: 'order', type: 'quantitative' },
      },
    },
  };
}
