import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Report } from '../src/core/report/schema.js';
import { ci3, NONE, pct, unmark } from '../src/core/report/format.js';
import { formatFsr } from '../src/core/score/fsr.js';
import { speedrun } from './helpers/cli.js';
import { htmlRows, markdownRows } from './helpers/report-tables.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import { syntheticBench, syntheticRun, writeRunFolder } from './helpers/report-fixtures.js';

afterAll(removeTempDirs);

describe('speedrun report on a synthetic bench', () => {
  let out: string;
  let md: string;
  let html: string;
  let json: Report;
  let csv: string;
  let stdout: string;

  beforeAll(async () => {
    const bench = await tempDir('report-formats');
    await syntheticBench(bench, 3);
    out = join(bench, 'out');
    const result = await speedrun(['report', bench, '--out', out, '--reps', '500']);
    stdout = result.stdout;
    expect(result.exitCode, result.stderr).toBe(0);
    [md, html, csv] = (await Promise.all(['report.md', 'report.html', 'runs.csv'].map((f) => readFile(join(out, f), 'utf8')))) as [string, string, string];
    json = Report.parse(JSON.parse(await readFile(join(out, 'report.json'), 'utf8')));
  }, 120_000);

  it('writes the four files and names them', () => {
    expect(stdout.trim().split('\n')).toEqual(['report.md', 'report.html', 'report.json', 'runs.csv'].map((f) => join(out, f)));
    expect(csv.trim().split('\n')).toHaveLength(1 + 54);
    expect(json.totals).toMatchObject({ runs: 54, tasks: 3, configurations: 6 });
  });

  it('prints the same numbers in report.md, report.html and report.json', () => {
    const tables = [
      ['Per-hint comparison', 'by-hint', json.by_hint],
      ['By model', 'by-model', json.by_model],
      ['Configurations', 'by-configuration', json.by_configuration],
    ] as const;
    for (const [title, id, rows] of tables) {
      const fromMd = markdownRows(md, title);
      const fromHtml = htmlRows(html, id);
      expect(fromHtml).toEqual(fromMd);
      expect(fromMd.map((r) => r[0])).toEqual(rows.map((r) => r.label));
      for (const [i, row] of rows.entries()) {
        const cells = fromMd[i]!;
        expect(unmark(cells[4]!)).toBe(formatFsr(row.mean_fsr, NONE));
        expect(cells[5]).toBe(ci3(row.mean_ci));
        expect(unmark(cells[6]!)).toBe(formatFsr(row.iqm_fsr, NONE));
        expect(cells[7]).toBe(ci3(row.iqm_ci));
        expect(unmark(cells[8]!)).toBe(formatFsr(row.median_fsr, NONE));
        expect(unmark(cells[9]!)).toBe(formatFsr(row.optimality_gap, NONE));
        expect(cells[10]).toBe(row.verified_runs === 0 ? '–' : `${formatFsr(row.mean_fsr_verified, NONE)} (${row.verified_runs})`);
        expect(cells[11]).toBe(pct(row.success_rate));
        expect(cells[12]).toBe(pct(row.buggy_share));
        // No verification files: every number is marked unverified.
        expect(cells[4]).toMatch(/†$/);
      }
    }
    const typesMd = markdownRows(md, 'Node types by search step');
    expect(htmlRows(html, 'node-types')).toEqual(typesMd);
    for (const row of typesMd) {
      const json_ = json.node_types.find((r) => r.configuration === row[0] && String(r.step) === row[1])!;
      expect(row.slice(2, 6)).toEqual([
        String(json_.runs),
        pct(json_.buggy / json_.nodes),
        pct(json_.no_improvement / json_.nodes),
        pct(json_.improved / json_.nodes),
      ]);
    }
    const matrixMd = markdownRows(md, 'Record × hint matrix');
    expect(htmlRows(html, 'matrix')).toEqual(matrixMd);
    for (const cell of json.matrix.cells) {
      const row = matrixMd.find((r) => r[0] === cell.task)!;
      expect(row[1 + json.matrix.hints.indexOf(cell.hint)]).toBe(formatFsr(cell.mean_fsr, NONE));
    }
  });

  it('embeds the four charts as inline SVG and nothing fetched', () => {
    for (const id of ['fsr-by-hint', 'record-hint-matrix', 'fsr-by-step', 'node-types-by-step'])
      expect(html).toMatch(new RegExp(`<figure class="chart" id="chart-${id}"><svg`));
    expect(html).not.toMatch(/<script|src="http|href="http/);
  });

  it('draws every chart in one style: the same title, axis-title and label type', () => {
    const charts = [...html.matchAll(/<figure class="chart" id="chart-([a-z-]+)">(<svg[\s\S]*?<\/svg>)/g)];
    expect(charts.map((c) => c[1])).toEqual(['fsr-by-hint', 'record-hint-matrix', 'fsr-by-step', 'node-types-by-step']);
    // Vega draws each role's text with its own class; its font attributes are what the reader sees. The chart's own
    // title, not a facet's panel header (also a title role), is the one labelled with the chart's name.
    const ROLES: Record<string, string> = {
      'title-text': `role-title-text"[^>]*aria-label="Title text '(?:Mean|Node types)`,
      'axis-title': 'role-axis-title"',
    };
    const fontOf = (svg: string, role: string) => {
      const text = new RegExp(`${ROLES[role]}[\\s\\S]*?<text[^>]*>`).exec(svg)?.[0] ?? '';
      return ['font-family', 'font-size', 'font-weight'].map((a) => new RegExp(`${a}="([^"]*)"`).exec(text)?.[1] ?? null);
    };
    for (const role of ['title-text', 'axis-title']) {
      const fonts = charts.map((c) => JSON.stringify(fontOf(c[2]!, role)));
      expect(new Set(fonts).size, `${role}: ${fonts.join(' | ')}`).toBe(1);
      expect(fonts[0]).toContain('system-ui');
    }
  });

  it('is reproducible: the same runs and seed give the same report.json apart from its date', async () => {
    const again = join(out, '..', 'again');
    const result = await speedrun(['report', join(out, '..'), '--out', again, '--format', 'json', '--reps', '500']);
    expect(result.exitCode, result.stderr).toBe(0);
    const second = Report.parse(JSON.parse(await readFile(join(again, 'report.json'), 'utf8')));
    expect({ ...second, generated_at: '', sources: [] }).toEqual({ ...json, generated_at: '', sources: [] });
  });

  it('compares two result sets with the difference and its CI', async () => {
    const a = await tempDir('report-cmp-a');
    const b = await tempDir('report-cmp-b');
    for (const record of [1, 2]) {
      for (const seed of [1, 2, 3, 4]) {
        await writeRunFolder(a, syntheticRun({ hint: 'L1', model: 'a', record, seed, nodes: [70_000 + seed * 1000] }));
        await writeRunFolder(b, syntheticRun({ hint: 'L1', model: 'b', record, seed, nodes: [90_000 + seed * 1000] }));
      }
    }
    await writeRunFolder(b, syntheticRun({ hint: 'L1', model: 'b', record: 3, seed: 1, nodes: [61_000] }));
    const result = await speedrun(['report', '--compare', a, b, '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const cmp = JSON.parse(result.stdout) as {
      rows: Array<{ slice: string; difference: number; difference_ci: [number, number]; significant: boolean }>;
      dropped_tasks: string[];
    };
    expect(cmp.dropped_tasks).toEqual(['tiny/3']);
    const all = cmp.rows[0]!;
    expect(all.slice).toBe('all');
    expect(all.difference).toBeCloseTo(0.5, 10);
    expect(all.difference_ci[0]).toBeLessThanOrEqual(0.5);
    expect(all.difference_ci[1]).toBeGreaterThanOrEqual(0.5);
    expect(all.significant).toBe(true);
    const text = await speedrun(['report', '--compare', a, b]);
    expect(text.stdout).toContain('| all | 2 | 8 | 8 |');
  });

  it('says what is wrong with bad input (exit 2)', async () => {
    const bad = await speedrun(['report', out, '--format', 'pdf']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('unknown report format');
    const empty = await speedrun(['report', await tempDir('report-none')]);
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toContain('no finished run');
  });
});
