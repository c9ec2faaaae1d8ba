import { MARK_LEGEND, integrityCell } from './format.js';
import type { Report } from './schema.js';
import { reportSections } from './sections.js';
import type { ChartId, Table } from './section.js';

/** Everything a user names (models, run ids) is escaped; the SVGs come from vega's own serializer. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function htmlTable(id: string, table: Table): string {
  const head = table.headers.map((h, i) => `<th${i === 0 ? ' class="label"' : ''}>${escapeHtml(h)}</th>`).join('');
  const body = table.rows
    .map((row) => `<tr>${row.map((c, i) => (i === 0 ? `<th class="label">${escapeHtml(c)}</th>` : `<td>${escapeHtml(c)}</td>`)).join('')}</tr>`)
    .join('\n');
  return `<table id="table-${id}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 76rem; padding: 0 1rem; color: #1b1f24; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
p.intro { color: #57606a; max-width: 60rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .6rem 0; font-variant-numeric: tabular-nums; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #eaeef2; text-align: right; white-space: nowrap; }
th.label { text-align: left; font-weight: 600; }
thead th { border-bottom: 2px solid #d0d7de; }
figure.chart { margin: 1rem 0; } figure.chart svg { max-width: 100%; height: auto; }
ul.legend { color: #57606a; }`;

/**
 * report.html: one self-contained file (inline CSS and SVG, no script, nothing fetched) with the same tables as
 * report.md and a chart beside the sections that have one.
 */
export function renderHtml(report: Report, charts: Record<ChartId, string>): string {
  const t = report.totals;
  const parts = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>speedrun report</title><style>${STYLE}</style></head><body>`,
    '<h1>speedrun report</h1>',
    `<p>Generated ${escapeHtml(report.generated_at)} from ${report.sources.map((s) => `<code>${escapeHtml(s)}</code>`).join(', ')}.</p>`,
    `<p>${t.runs} runs (${t.scored} scored) over ${t.tasks} tasks and ${t.configurations} configurations. Integrity: ${escapeHtml(integrityCell(t.integrity))}.</p>`,
  ];
  for (const section of reportSections(report)) {
    parts.push(`<section id="${section.id}"><h2>${escapeHtml(section.title)}</h2>`, `<p class="intro">${escapeHtml(section.intro)}</p>`);
    if (section.chart) parts.push(`<figure class="chart" id="chart-${section.chart}">${charts[section.chart]}</figure>`);
    parts.push(`<div class="scroll">${htmlTable(section.id, section.table)}</div></section>`);
  }
  parts.push(
    '<section id="integrity"><h2>Integrity and verification</h2>',
    `<ul class="legend">${MARK_LEGEND.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`,
  );
  const troubled = report.runs.filter((r) => r.integrity === 'rejected' || r.integrity === 'flagged').slice(0, 20);
  if (troubled.length > 0) {
    parts.push(`<ul>${troubled.map((r) => `<li><code>${escapeHtml(r.run_id)}</code> ${r.integrity}: ${escapeHtml(r.integrity_notes)}</li>`).join('')}</ul>`);
  }
  parts.push('</section></body></html>');
  return `${parts.join('\n')}\n`;
}
