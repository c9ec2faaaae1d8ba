import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speedrun } from './helpers/cli.js';
import { decodePng, inkShare } from './helpers/png.js';
import { syntheticBench } from './helpers/report-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import { findRunFolders } from '../src/core/store/load-results.js';
import { makeViewResults, startView, stopView, type ViewResults } from './helpers/view-fixtures.js';

afterAll(removeTempDirs);

const WIDTH = 1200;

/**
 * Debian's headless Chromium (as in report-html-chromium.int.test.ts). The app loads its data after the page's load
 * event, so the virtual time budget lets those requests finish before the DOM is dumped or the screenshot taken.
 */
function chromium(args: string[]) {
  return execa(
    'chromium',
    ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--force-device-scale-factor=1', '--virtual-time-budget=15000', ...args],
    { timeout: 90_000, reject: false, stdin: 'ignore' },
  );
}

/** The DOM of a page after the app rendered it; fails unless the app says it rendered the expected page. */
async function dom(url: string, page: string): Promise<string> {
  const dumped = await chromium([`--window-size=${WIDTH},1000`, '--dump-dom', url]);
  expect(dumped.exitCode, dumped.stderr).toBe(0);
  expect(/<body[^>]*>/.exec(dumped.stdout)?.[0], url).toMatch(new RegExp(`data-page="${page}"`));
  expect(dumped.stdout).toContain('data-ready="1"');
  return dumped.stdout;
}

/** Where a click on the link with this class (and text) would go: the href the app rendered. */
function hrefOf(html: string, cls: string, text?: RegExp): string {
  const links = [...html.matchAll(/<a ([^>]*)>(.*?)<\/a>/g)].filter(([, attrs, inner]) => attrs!.includes(`class="${cls}"`) && (!text || text.test(inner!)));
  const href = /href="([^"]+)"/.exec(links[0]?.[1] ?? '')?.[1];
  expect(href, `a link of class ${cls}`).toBeDefined();
  return href!.replace(/&amp;/g, '&');
}

/** The screenshot of a page holds drawn text and tables on white: neither blank nor a dark or broken page. */
async function expectDrawn(url: string, file: string): Promise<void> {
  const shot = await chromium([`--window-size=${WIDTH},900`, `--screenshot=${file}`, url]);
  expect(shot.exitCode, shot.stderr).toBe(0);
  const png = decodePng(await readFile(file));
  expect(png.width).toBe(WIDTH);
  const ink = inkShare(png, { x: 0, y: 0, width: WIDTH, height: 900 });
  expect(ink, url).toBeGreaterThan(0.02);
  expect(ink, url).toBeLessThan(0.5);
}

/** Bench → run → node by following the links the app drew, checking each page by its content. */
async function browse(base: string, shots: string): Promise<void> {
  const benches = await dom(`${base}#/`, 'benches');
  const benchHref = hrefOf(benches, 'bench-link', /^bench$/);
  expect(benchHref).toBe('#/bench/bench');

  const bench = await dom(base + benchHref, 'bench');
  expect(bench).toContain('<th>llm (sim/a) · flat</th>');
  expect(bench).toContain('<th>reference · flat</th>');
  expect(bench).toContain('<th>r1 · none</th>');
  expect(bench.match(/class="cell-run"/g)).toHaveLength(2);
  const runHref = hrefOf(bench, 'cell-run', /llm|s1/);
  expect(runHref).toMatch(/^#\/run\/bench\/tiny-r1-none-llm_sim_a-flat-s1-/);

  const run = await dom(base + runHref, 'run');
  expect(run).toContain('id="fsr-curve"');
  expect(run.match(/class="node-link"/g)).toHaveLength(3);
  expect(run).toMatch(/<td>baseline<\/td>/);
  const nodeHref = hrefOf(run, 'node-link', /^#1$/);
  expect(nodeHref).toBe(`${runHref}/node/1`);

  const node = await dom(base + nodeHref, 'node');
  // Diff pane: the edit's added lines, marked as additions.
  expect(node).toMatch(/<div class="diff-add">\+_sim_variant = "sim\/a:1"<\/div>/);
  expect(node).toContain('<div class="diff-hunk">+++ node-1/train_gpt.py</div>');
  // Log pane: the metric lines the harness parsed are highlighted, the other lines are not.
  expect(node).toMatch(/<div class="log-metric" data-n="\d+">step:10\/10 val_loss:1\.8950 train_time:\d+ms/);
  expect(node).toMatch(/<div data-n="1">simulated training/);
  expect(node).toContain('id="log-search"');
  // Audit and model-call panes.
  expect(node).toMatch(/<div id="audit"><p>verdict: ok — no findings<\/p><\/div>/);
  expect(node).toMatch(/<summary>#1 propose · sim\/a · 1000 in \/ \d+ out/);
  expect(node).toMatch(/<pre class="wrap call-answer">Simulated change 1\./);
  expect(node).toMatch(/<div class="role">system<\/div><pre class="wrap">You are an expert/);

  await expectDrawn(base + runHref, join(shots, 'run.png'));
  await expectDrawn(base + nodeHref, join(shots, 'node.png'));
}

let results: ViewResults;

beforeAll(async () => {
  results = await makeViewResults();
}, 300_000);

describe('speedrun view in headless Chromium', () => {
  it('served: bench → run → node, with diff, log and model calls, drawn on screen', async () => {
    const served = await startView([results.bench]);
    try {
      await browse(served.url, await tempDir('view-shots'));
    } finally {
      await stopView(served);
    }
  }, 300_000);

  it('as a static bundle from file://: the same pages', async () => {
    const site = join(await tempDir('view-site'), 'site');
    const made = await speedrun(['view', results.bench, '--bundle', site]);
    expect(made.exitCode, made.stderr).toBe(0);
    await browse(`file://${site}/index.html`, await tempDir('view-shots'));
  }, 300_000);

  it('a large synthetic bench: every run in its matrix cell, and a damaged run listed with its reason', async () => {
    const big = await tempDir('view-big');
    await syntheticBench(big, 10);
    const [first] = await findRunFolders(big);
    await writeFile(join(first!, 'run.json'), '{"config": {"run_id": "cut-o');
    const served = await startView([big]);
    try {
      const bench = await dom(`${served.url}#/bench/${big.split('/').at(-1)}`, 'bench');
      expect(bench.match(/class="cell-run"/g)).toHaveLength(179);
      const damaged = /<ul id="damaged">(.*?)<\/ul>/.exec(bench)?.[1];
      expect(damaged).toMatch(/^<li class="damaged"><a href="#\/run\/[^"]+">[^<]+<\/a>: run.json: not valid JSON .*truncated<\/li>$/);
      expect(bench.match(/<th>r\d · [^<]+<\/th>/g)).toHaveLength(9);
    } finally {
      await stopView(served);
    }
  }, 300_000);
});
