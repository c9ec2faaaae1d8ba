import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from './helpers/cdp.js';
import { speedrun } from './helpers/cli.js';
import { decodePng, inkShare } from './helpers/png.js';
import { syntheticBench } from './helpers/report-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import { LlmCallRecord } from '../src/core/store/call-record.js';
import { NODE_FILES, nodeDirOf } from '../src/core/store/layout.js';
import { findRunFolders } from '../src/core/store/load-results.js';
import { makeViewResults, startView, stopView, type ViewResults } from './helpers/view-fixtures.js';

// `speedrun view` in one live headless Chromium (Debian's), driven over the DevTools protocol (helpers/cdp.ts): the
// test clicks what a user clicks and waits for what the app draws, for the server and for the static bundle.

const WIDTH = 1200;
const HEIGHT = 900;

let results: ViewResults;
let browser: Browser;

/** Waits until the app says it drew `page` (and, if given, that the location's hash matches). */
async function onPage(page: string, hash?: RegExp): Promise<string> {
  await browser.waitFor(
    `document.body.dataset.page === ${JSON.stringify(page)} && document.body.dataset.ready === '1'${hash ? ` && ${hash.toString()}.test(location.hash)` : ''}`,
    `the ${page} page${hash ? ` at ${hash}` : ''}`,
  );
  return browser.evaluate<string>(`document.getElementById('app').outerHTML`);
}

const count = (selector: string) => browser.evaluate<number>(`document.querySelectorAll(${JSON.stringify(selector)}).length`);
const textOf = (selector: string) => browser.evaluate<string | null>(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? null`);

/** The screenshot holds drawn text and tables on white: neither blank nor a dark or broken page. */
async function expectDrawn(what: string, least = 0.02): Promise<void> {
  const png = decodePng(await browser.screenshot());
  expect(png.width).toBe(WIDTH);
  const ink = inkShare(png, { x: 0, y: 0, width: WIDTH, height: HEIGHT });
  expect(ink, what).toBeGreaterThan(least);
  expect(ink, what).toBeLessThan(0.5);
}

/** The content of node 1's propose call, streamed in four pieces (set in beforeAll): reasoning first, then the answer. */
let streamedAnswer = '';
const STREAM_REASONING = 'Let me think about the warmup.';
/** A line of node 2's long log that the window hides at first: search must find it, and a click show it. */
const NEEDLE = 'needle: the one line to find';
const LONG_LOG_LINES = 30_000;

/** Bench → run → node by clicking, checking each pane by its content, then back to the run and into node 2's long log. */
async function browse(base: string): Promise<void> {
  await browser.navigate(`${base}#/`);
  await onPage('benches');
  await browser.click('a.bench-link', /^bench$/);

  const bench = await onPage('bench', /^#\/bench\/bench$/);
  expect(bench).toContain('<th>llm (sim/a) · flat</th>');
  expect(bench).toContain('<th>reference · flat</th>');
  expect(bench).toContain('<th>r1 · none</th>');
  expect(await count('a.cell-run')).toBe(2);
  await browser.click('a.cell-run[href*="llm_sim_a"]');

  const run = await onPage('run', /^#\/run\/bench\/tiny-r1-none-llm_sim_a-flat-s1-/);
  const runHash = await browser.evaluate<string>('location.hash');
  expect(run).toContain('id="fsr-curve"');
  expect(await count('a.node-link')).toBe(3);
  expect(run).toMatch(/<td>baseline<\/td>/);
  // Loss curves (loaded lazily): the best node and node 0 by default; ticking #2 draws it too (or unticking hides it).
  await browser.waitFor(`document.querySelectorAll('#loss-chart polyline').length > 0`, 'the loss curves');
  const lines = await count('#loss-chart polyline');
  const twoShown = await browser.evaluate<boolean>(`document.querySelector('#curve-picker input[value="2"]').checked`);
  await browser.click('#curve-picker label', /#2/);
  await browser.waitFor(`document.querySelectorAll('#loss-chart polyline').length === ${lines + (twoShown ? -1 : 1)}`, 'the chart after ticking #2');
  const series = await browser.evaluate<string[]>(`[...document.querySelectorAll('#loss-chart polyline')].map((l) => l.dataset.series)`);
  expect(series.includes('node 2')).toBe(!twoShown);
  await expectDrawn(`run page of ${base}`);
  await browser.click('a.node-link', /^#1$/);

  const node = await onPage('node', /\/node\/1$/);
  expect(await browser.evaluate<string>('location.hash')).toBe(`${runHash}/node/1`);
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
  // Beside the diff: the node's script against the true next record (tiny record 2), with its diff overlap.
  expect(await textOf('#true-next p')).toMatch(/^record 2: /);
  expect(await textOf('#overlap')).toMatch(/^diff overlap with the true change: recall \S+ · precision \S+ · F1 \S+ · \d+ of \d+ changed code lines/);
  expect(await count('#true-diff div.diff-add')).toBeGreaterThan(0);
  await expectDrawn(`node page of ${base}`);

  // The streamed answer, replayed: reasoning, then the answer, growing until all of it is there.
  expect(await textOf('.replay-pane .role')).toBe('as streamed: 4 pieces over 1.5 s');
  await browser.evaluate(`(document.querySelector('.replay-speed').value = '256')`);
  await browser.click('button.replay-button');
  await browser.waitFor(`document.querySelector('pre.replay').dataset.replay === 'done'`, 'the replay to end');
  expect(await textOf('.replay-reasoning')).toBe(STREAM_REASONING);
  expect(await textOf('.replay-content')).toBe(streamedAnswer);
  expect(await browser.evaluate<string[]>(`[...document.querySelectorAll('pre.replay > .role')].map((e) => e.textContent)`)).toEqual(['reasoning', 'answer']);

  // Back to the run by its crumb, then node 2: a long log is drawn as a window, and search finds what it hides.
  await browser.click('#crumbs a', /^tiny-r1-none-llm/);
  await onPage('run', new RegExp(`^${runHash.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  await browser.click('a.node-link', /^#2$/);
  await onPage('node', /\/node\/2$/);
  await longLog();
  expect(browser.pageErrors).toEqual([]);
}

async function longLog(): Promise<void> {
  expect(await browser.evaluate<string>(`document.getElementById('log').dataset.lines`)).toBe(String(LONG_LOG_LINES + 1));
  const drawn = await count('#log > div[data-n]');
  expect(drawn).toBeLessThan(1500);
  // The first and last lines, and the metric lines between them (highlighted), are drawn; the needle is not.
  expect(await textOf('#log > div[data-n="1"]')).toBe('line 1 of a long log');
  expect(await textOf(`#log > div[data-n="${LONG_LOG_LINES - 1}"]`)).toBe(`line ${LONG_LOG_LINES - 1} of a long log`);
  expect(await textOf('#log > div.log-metric[data-n="15000"]')).toMatch(/^step:15\/30 val_loss:/);
  expect(await browser.evaluate<boolean>(`document.getElementById('log').textContent.includes(${JSON.stringify(NEEDLE)})`)).toBe(false);

  await browser.click('button.log-more');
  await browser.waitFor(`document.querySelectorAll('#log > div[data-n]').length === ${drawn + 500}`, '500 more lines after "show more"');
  expect(await textOf('#log > div[data-n="700"]')).toBe('line 700 of a long log');

  await browser.click('#log-search');
  await browser.type('NEEDLE: the one');
  await browser.waitFor(`/^ 1 matching lines/.test(document.getElementById('log-count').textContent)`, 'the search to find the needle');
  expect(await count('#log > div')).toBe(1);
  await browser.click('#log > div.log-hit');
  await browser.waitFor(`document.querySelector('#log .log-target')?.textContent === ${JSON.stringify(NEEDLE)}`, 'the jump to the needle');
  expect(await browser.evaluate<string>(`document.getElementById('log-search').value`)).toBe('');
  expect(await textOf('#log > div[data-n="12344"]')).toBe('line 12344 of a long log');
  // The window is back, with the needle's neighbourhood opened in it.
  expect(await count('#log > div[data-n]')).toBeGreaterThan(drawn);
}

/** Node 1's propose call gets a stream as the model proxy records one; node 2 a log of 30,000 lines with a needle. */
async function prepareNodes(bench: string): Promise<void> {
  const run = (await findRunFolders(bench)).find((dir) => basename(dir).includes('llm'))!;
  const callsFile = join(nodeDirOf(run, 1), NODE_FILES.calls);
  const calls = (await readFile(callsFile, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => LlmCallRecord.parse(JSON.parse(line)));
  const propose = calls.find((c) => c.purpose === 'propose')!;
  streamedAnswer = propose.response!.content;
  const third = Math.floor(streamedAnswer.length / 3);
  propose.stream = [
    { ms: 40, kind: 'reasoning', text: STREAM_REASONING },
    { ms: 300, kind: 'content', text: streamedAnswer.slice(0, third) },
    { ms: 900, kind: 'content', text: streamedAnswer.slice(third, 2 * third) },
    { ms: 1500, kind: 'content', text: streamedAnswer.slice(2 * third) },
  ];
  await writeFile(callsFile, calls.map((c) => JSON.stringify(LlmCallRecord.parse(c))).join('\n') + '\n');

  const lines = Array.from({ length: LONG_LOG_LINES }, (_, i) =>
    (i + 1) % 1000 === 0
      ? `step:${(i + 1) / 1000}/30 val_loss:${(4 - (i + 1) / 10_000).toFixed(4)} train_time:${i + 1}ms step_avg:1.00ms`
      : `line ${i + 1} of a long log`,
  );
  lines[12_344] = NEEDLE;
  await writeFile(join(nodeDirOf(run, 2), NODE_FILES.stdout), lines.join('\n') + '\n');
}

beforeAll(async () => {
  results = await makeViewResults();
  await prepareNodes(results.bench);
  browser = await Browser.launch({ width: WIDTH, height: HEIGHT, profileDir: await tempDir('view-chromium-profile') });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await removeTempDirs();
});

describe('speedrun view in headless Chromium, clicked through', () => {
  it('served: bench → run → node, with diff, log, replayed stream and model calls, drawn on screen', async () => {
    const served = await startView([results.bench]);
    try {
      await browse(served.url);
    } finally {
      await stopView(served);
    }
  }, 300_000);

  it('as a static bundle from file://: the same pages', async () => {
    const site = join(await tempDir('view-site'), 'site');
    const made = await speedrun(['view', results.bench, '--bundle', site]);
    expect(made.exitCode, made.stderr).toBe(0);
    await browse(`file://${site}/index.html`);
  }, 300_000);

  it('a large synthetic bench: every run in its matrix cell, a damaged run listed with its reason, the others open', async () => {
    const big = await tempDir('view-big');
    await syntheticBench(big, 10);
    const [first] = await findRunFolders(big);
    await writeFile(join(first!, 'run.json'), '{"config": {"run_id": "cut-o');
    const served = await startView([big]);
    try {
      await browser.navigate(`${served.url}#/`);
      await onPage('benches');
      await browser.click('a.bench-link');
      const bench = await onPage('bench');
      expect(await count('a.cell-run')).toBe(179);
      const damaged = /<ul id="damaged">(.*?)<\/ul>/.exec(bench)?.[1];
      expect(damaged).toMatch(/^<li class="damaged"><a href="#\/run\/[^"]+">[^<]+<\/a>: run.json: not valid JSON .*truncated<\/li>$/);
      expect(bench.match(/<th>r\d · [^<]+<\/th>/g)).toHaveLength(9);

      await browser.click('#damaged a');
      const run = await onPage('run');
      expect(run).toContain(`damaged: run.json: not valid JSON`);
      await browser.click('#crumbs a', new RegExp(`^${basename(big)}$`));
      await onPage('bench');
      await browser.click('a.cell-run', /s7/);
      await onPage('run');
      await browser.click('a.node-link', /^#2$/);
      const node = await onPage('node', /\/node\/2$/);
      expect(node).toContain('<h1>Node 2</h1>');
      // A synthetic node has a result and nothing else to show: less ink, yet not a blank page.
      await expectDrawn('a node of the large bench', 0.005);
      expect(browser.pageErrors).toEqual([]);
    } finally {
      await stopView(served);
    }
  }, 300_000);
});
