import type { TopLevelSpec } from 'vega-lite';
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

export function nodeTypesByStep(report: Report): TopLevelSpec {
  const values = report.node_types.flatMap((row) =>
    TYPES.filter((t) => t.key !== 'aborted' || row.aborted > 0).map((t, order) => ({
      configuration: row.configuration,
      step: row.step,
      type: t.label,
      order,
      share: row.nodes ? row[t.key] / row.nodes : 0,
    })),
  );
  const types = TYPES.filter((t) => t.key !== 'aborted' || report.node_types.some((r) => r.aborted > 0));
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: { font: 'system-ui, sans-serif' } } as const;
  if (values.length === 0) {
    return { ...base, title: 'Node types by search step', width: 240, height: 60, data: { values: [{ text: 'no agent nodes' }] }, mark: 'text', encoding: { text: { field: 'text' } } };
  }
  const order = report.configurations.map((c) => c.label).filter((l) => report.node_types.some((r) => r.configuration === l));
  return {
    ...base,
    title: 'Node types by search step (share of the first k agent nodes)',
    data: { values },
    facet: { field: 'configuration', type: 'nominal', sort: order, title: null, header: { labelLimit: 240 } },
    columns: 4,
    spec: {
      width: 160,
      height: 110,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'step', type: 'ordinal', title: 'search step', axis: { labelAngle: 0, labelOverlap: 'greedy' } },
        y: { field: 'share', type: 'quantitative', title: 'share', stack: 'zero', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
        color: { field: 'type', type: 'nominal', title: 'node type', sort: types.map((t) => t.label), scale: { domain: types.map((t) => t.label), range: types.map((t) => t.color) } },
        order: { field: 'order', type: 'quantitative' },
      },
    },
  };
}
