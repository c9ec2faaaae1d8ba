import type { TopLevelSpec } from 'vega-lite';

/**
 * One look for every chart of the HTML report: the same font, title, axes, legend and colours, so a figure added
 * later reads like the rest. Each chart spec starts from `chartBase`.
 */

const FONT = 'system-ui, sans-serif';

/** The colour of a single series (bars, one line). */
export const SERIES_COLOR = '#4c78a8';
/** Error bars, rules and labels drawn over data. */
export const INK = '#222';

const CONFIG = {
  font: FONT,
  title: { fontSize: 14, fontWeight: 600, anchor: 'start', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 500, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 500, labelLimit: 280 },
  header: { labelFontSize: 12, titleFontSize: 12, labelLimit: 240 },
  view: { stroke: '#ccc' },
} as const;

/** What every chart spec shares: the schema, its title, and the report's style. */
export function chartBase(title: string): Pick<TopLevelSpec, '$schema' | 'title' | 'config'> {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, config: CONFIG };
}
