import { MARK_LEGEND, integrityCell } from './format.js';
import type { Report } from './schema.js';
import { reportSections } from './sections.js';
import type { Table } from './section.js';

/** Pipes and line breaks would split a markdown cell; labels come from user-chosen model names. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function markdownTable(table: Table): string {
  const head = `| ${table.headers.map(cell).join(' | ')} |`;
  const rule = `|${table.headers.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`;
  return [head, rule, ...table.rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');
}

/** report.md: the tables of every section, for papers, pull requests and terminals. */
export function renderMarkdown(report: Report): string {
  const t = report.totals;
  const out = [
    '# speedrun report',
    '',
    `Generated ${report.generated_at} from ${report.sources.map((s) => `\`${s}\``).join(', ')}.`,
    '',
    `${t.runs} runs (${t.scored} scored) over ${t.tasks} tasks and ${t.configurations} configurations. Integrity: ${integrityCell(t.integrity)}.`,
    '',
    timingLine(report),
    '',
  ];
  for (const section of reportSections(report)) {
    out.push(`## ${section.title}`, '', section.intro, '', markdownTable(section.table), '');
  }
  out.push('## Integrity and verification', '', ...MARK_LEGEND.map((l) => `- ${l}`), '');
  const troubled = report.runs.filter((r) => r.integrity === 'rejected' || r.integrity === 'flagged');
  if (troubled.length > 0) {
    out.push(`Runs needing a look (${troubled.length}${troubled.length > 20 ? ', first 20' : ''}):`, '');
    for (const r of troubled.slice(0, 20)) out.push(`- \`${r.run_id}\` ${r.integrity}: ${r.integrity_notes}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

/** How each track's runs read their times and where their scores took t_i and t_i+1 (README "Timing and scoring"). */
function timingLine(report: Report): string {
  const tracks = [...new Set(report.runs.map((r) => r.track))].sort();
  const parts = tracks.map((track) => {
    const runs = report.runs.filter((r) => r.track === track);
    const distinct = (values: Array<string | number | null>) => [...new Set(values.map((v) => (v === null ? 'unstated' : String(v))))].sort().join(' / ');
    const rules = distinct(runs.map((r) => r.timing_rule));
    return `${track}: ${rules} at ${distinct(runs.map((r) => r.target_val_loss))}, t_i and t_i+1 from ${distinct(runs.map((r) => r.times_from))}`;
  });
  return `Times (rule at target, and the source of t_i and t_i+1): ${parts.join('; ')}.`;
}
