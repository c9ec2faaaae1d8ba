import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { speedrun } from './helpers/cli.js';
import { decodePng, inkShare } from './helpers/png.js';
import { syntheticBench } from './helpers/report-fixtures.js';
import { writeIdeasFile } from '../src/core/ideas/ideas-file.js';
import { packageRoot } from '../src/core/paths.js';
import { writeDistanceFile } from '../src/core/store/distance-file.js';
import { writeJudgeFile } from '../src/core/store/judge-file.js';
import { findRunFolders, readRunSummary } from '../src/core/store/load-results.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const WIDTH = 1300;

/** Debian's headless Chromium (scripts/ci/tools-setup.sh installs it); as root it needs --no-sandbox. */
function chromium(args: string[]) {
  return execa('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--force-device-scale-factor=1', ...args], {
    timeout: 90_000,
    reject: false,
    stdin: 'ignore',
  });
}

interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  marks: number;
}

/** Where each chart's SVG lies on the rendered page, and how many drawn elements it has, read from the live DOM. */
const PROBE = `<script>
document.body.setAttribute('data-boxes', JSON.stringify([...document.querySelectorAll('figure.chart')].map((f) => {
  const svg = f.querySelector('svg');
  const r = svg ? svg.getBoundingClientRect() : { x: 0, y: 0, width: 0, height: 0 };
  return { id: f.id, x: r.x, y: r.y + window.scrollY, width: r.width, height: r.height, marks: svg ? svg.querySelectorAll('path, rect, line, text').length : 0 };
})));
</script>`;

/** A judge.json beside every run (scores spread over [0, 1]), so the judge-against-FSR scatter has points. */
async function judgeEveryRun(bench: string): Promise<void> {
  const dirs = await findRunFolders(bench);
  for (const [i, dir] of dirs.entries()) {
    const summary = (await readRunSummary(dir))!;
    await writeJudgeFile(dir, {
      version: 1,
      run_id: summary.run_id,
      track: summary.track,
      record: summary.record,
      node: summary.best?.node ?? 0,
      model: 'judge-m',
      model_id: 'judge-m',
      prompt_version: 'v1',
      prompt_sha256: 'p'.repeat(64),
      node_diff_sha256: 'n'.repeat(64),
      true_diff_sha256: 't'.repeat(64),
      level0_diff_sha256: null,
      score: (i % 11) / 10,
      implemented: [],
      other_changes: [],
      reasons: 'synthetic',
      source: 'endpoint',
      calls: 1,
      malformed_answers: 0,
      usage: { prompt_tokens: 1, completion_tokens: 1, cost_usd: null },
      judged_at: '2026-01-01T00:00:00.000Z',
    });
  }
}

/** A distance.json beside every run (distances spread over [0, 1]), so the FSR-against-distance scatter has points. */
async function measureEveryRun(bench: string): Promise<void> {
  const dirs = await findRunFolders(bench);
  for (const [i, dir] of dirs.entries()) {
    const summary = (await readRunSummary(dir))!;
    const script = { sha256: 's'.repeat(64), chars: 100, chunks: 1, source: 'endpoint' as const };
    const d = (i % 7) / 7;
    await writeDistanceFile(dir, {
      version: 1,
      run_id: summary.run_id,
      track: summary.track,
      record: summary.record,
      next_record: summary.record + 1,
      node: summary.best?.node ?? 0,
      model: 'emb',
      model_id: 'emb',
      chunking: { policy: 'lines', max_chars: 4000, pooling: 'mean-by-chars' },
      dimension: 8,
      scripts: { node: script, record: script, next: script },
      distance_to_record_i: { cosine: 1 - d, l2: Math.sqrt(2 * (1 - d)) },
      distance_to_next: { cosine: d, l2: Math.sqrt(2 * d) },
      calls: 1,
      malformed_answers: 0,
      usage: { prompt_tokens: 1, cost_usd: null },
      computed_at: '2026-01-01T00:00:00.000Z',
    });
  }
}

/** An ideas.json beside every run (entropies spread over 0–2 bits), so the entropy-against-FSR scatter has points. */
async function classifyEveryRun(bench: string): Promise<void> {
  const usage = { prompt_tokens: 1, completion_tokens: 1, cost_usd: null };
  for (const [i, dir] of (await findRunFolders(bench)).entries()) {
    const summary = (await readRunSummary(dir))!;
    await writeIdeasFile(dir, {
      version: 1,
      run_id: summary.run_id,
      track: summary.track,
      record: summary.record,
      model: 'ideas-m',
      model_id: 'ideas-m',
      prompt_version: 'v1',
      prompt_sha256: 'p'.repeat(64),
      taxonomy_version: 'v1',
      taxonomy_sha256: 't'.repeat(64),
      k: 5,
      drafts: 0,
      nodes: [],
      skipped: [],
      failed: [],
      first_k: [],
      class_counts: {},
      entropy_bits: (i % 5) / 2,
      usage,
      classified_at: '2026-01-01T00:00:00.000Z',
    });
  }
}

/**
 * The real tiny scripts in every run: record i as node 0 and, as the best node, record i+1 (every other run) or
 * record i again, so diff overlap is measured from the catalog and its scatter has points at 0 and 1.
 */
async function writeScripts(bench: string): Promise<void> {
  const script = (record: number) => join(packageRoot, 'records', 'tiny', `r${String(record).padStart(2, '0')}`, 'train_gpt.py');
  for (const [i, dir] of (await findRunFolders(bench)).entries()) {
    const summary = (await readRunSummary(dir))!;
    const place = async (node: number, record: number) => {
      await mkdir(join(dir, 'nodes', String(node)), { recursive: true });
      await copyFile(script(record), join(dir, 'nodes', String(node), 'train_gpt.py'));
    };
    await place(0, summary.record);
    if (summary.best && summary.best.node !== 0) await place(summary.best.node, i % 2 === 0 ? summary.record + 1 : summary.record);
  }
}

describe('report.html in headless Chromium', () => {
  it('shows every chart (overlap, distance, judge and entropy scatters included) as a non-empty SVG on the screenshot', async () => {
    const bench = await tempDir('report-chromium');
    await syntheticBench(bench, 2);
    await judgeEveryRun(bench);
    await measureEveryRun(bench);
    await classifyEveryRun(bench);
    await writeScripts(bench);
    const made = await speedrun(['report', bench, '--format', 'html', '--reps', '200']);
    expect(made.exitCode, made.stderr).toBe(0);
    const page = join(bench, 'report', 'report.html');
    const html = await readFile(page, 'utf8');

    const probe = join(bench, 'report', 'probe.html');
    await writeFile(probe, html.replace('</body>', `${PROBE}</body>`));
    const dom = await chromium([`--window-size=${WIDTH},2000`, '--dump-dom', `file://${probe}`]);
    expect(dom.exitCode, dom.stderr).toBe(0);
    const attr = /data-boxes="([^"]*)"/.exec(dom.stdout)?.[1];
    expect(attr, 'the probe script ran').toBeDefined();
    const boxes = JSON.parse(attr!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as Box[];
    expect(boxes.map((b) => b.id)).toEqual([
      'chart-fsr-by-hint',
      'chart-record-hint-matrix',
      'chart-fsr-by-step',
      'chart-node-types-by-step',
      'chart-overlap-vs-fsr',
      'chart-distance-vs-fsr',
      'chart-judge-vs-fsr',
      'chart-entropy-vs-fsr',
    ]);
    for (const box of boxes) {
      expect(box.width, box.id).toBeGreaterThan(100);
      expect(box.height, box.id).toBeGreaterThan(100);
      expect(box.marks, box.id).toBeGreaterThan(10);
    }

    // The same page (without the probe) as pixels: each chart's area must hold drawn ink, not a blank box.
    const height = Math.ceil(Math.max(...boxes.map((b) => b.y + b.height))) + 40;
    const shot = join(bench, 'report', 'shot.png');
    const taken = await chromium([`--window-size=${WIDTH},${height}`, `--screenshot=${shot}`, `file://${page}`]);
    expect(taken.exitCode, taken.stderr).toBe(0);
    const png = decodePng(await readFile(shot));
    expect(png.width).toBe(WIDTH);
    for (const box of boxes) expect(inkShare(png, box), box.id).toBeGreaterThan(0.03);
    // The page outside the charts is mostly white paper: the ink above is the charts', not a dark background.
    expect(inkShare(png, { x: 0, y: 0, width: WIDTH, height })).toBeLessThan(0.5);
  }, 180_000);
});
