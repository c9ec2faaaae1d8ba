import { join } from 'node:path';
import { writeFileAtomic } from '../fs-atomic.js';
import { renderCharts } from './charts.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { Report } from './schema.js';

export const REPORT_FORMATS = ['md', 'html', 'json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const FILE_NAMES: Record<ReportFormat, string> = { md: 'report.md', html: 'report.html', json: 'report.json', csv: 'runs.csv' };

/** Writes the chosen formats into `outDir` and returns the paths written, in the order asked. */
export async function writeReport(report: Report, outDir: string, formats: readonly ReportFormat[]): Promise<string[]> {
  // The schema is the contract of report.json: a report that does not satisfy it is a bug, caught before writing.
  Report.parse(report);
  const written: string[] = [];
  for (const format of formats) {
    const path = join(outDir, FILE_NAMES[format]);
    const text =
      format === 'md'
        ? renderMarkdown(report)
        : format === 'html'
          ? renderHtml(report, await renderCharts(report))
          : format === 'json'
            ? `${JSON.stringify(report, null, 2)}\n`
            : renderCsv(report);
    await writeFileAtomic(path, text);
    written.push(path);
  }
  return written;
}
