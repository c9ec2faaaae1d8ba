import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChainStepEntry } from '../src/core/events.js';
import { NodeResult } from '../src/core/store/schema.js';
import { speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const script = (dir: string, runId: string, node: number) => readFile(join(dir, runId, 'nodes', String(node), 'train_gpt.py'), 'utf8');

/** How many drawn elements the chain chart's SVG has once Chromium has laid the page out (0: no chart). */
const PROBE = `<script>
const svg = document.querySelector('#chart-fsr-by-chain-step svg');
const r = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
document.body.setAttribute('data-chain-chart', JSON.stringify({ width: r.width, height: r.height, marks: svg ? svg.querySelectorAll('path, text').length : 0 }));
</script>`;

// End to end on the real tiny track: real data, real PyTorch trainings on the local executor, the built binary.
// No time or FSR thresholds: the machine may be loaded; the chain's mechanics are what is checked.
describe('speedrun chain on the tiny track, trained for real', () => {
  it('runs record 1 → 3 in two steps, the second starting from the first one’s best script', { timeout: 900_000 }, async () => {
    const env = { SPEEDRUN_CACHE: await tempDir('chain-int-cache') };
    const out = join(await tempDir('chain-int'), 'chain');
    // Times from the record table keep the suite short: only the agents' nodes train.
    const result = await speedrun(
      ['chain', '--track', 'tiny', '--from', '1', '--to', '3', '--agent', 'reference', '--retime', 'none', '--out', out, '--json'],
      env,
      800_000,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const last = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { type: string; steps: ChainStepEntry[]; complete: boolean };
    expect(last).toMatchObject({ type: 'chain-finished', complete: true });
    const [step0, step1] = last.steps;
    expect(last.steps.map((s) => [s.step, s.record, s.status, s.start.from])).toEqual([
      [0, 1, 'finished', 'record'],
      [1, 2, 'finished', 'best'],
    ]);
    expect(step1!.start).toMatchObject({ run_id: step0!.run_id, node: step0!.best!.node });
    expect(await script(out, step1!.run_id, 0)).toBe(await script(out, step0!.run_id, step0!.best!.node));
    for (const step of last.steps) {
      const node1 = NodeResult.parse(JSON.parse(await readFile(join(out, step.run_id, 'nodes', '1', 'result.json'), 'utf8')));
      expect(node1).toMatchObject({ status: 'ok', measured_by: 'executed' });
    }

    // The report's chart of FSR along the chain, drawn by a real browser.
    const made = await speedrun(['report', out, '--format', 'md,html,json', '--reps', '200'], env);
    expect(made.exitCode, made.stderr).toBe(0);
    expect(await readFile(join(out, 'report', 'report.md'), 'utf8')).toContain('## Chained records');
    const probe = join(out, 'report', 'probe.html');
    await writeFile(probe, (await readFile(join(out, 'report', 'report.html'), 'utf8')).replace('</body>', `${PROBE}</body>`));
    const dom = await execa('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--window-size=1300,2000', '--dump-dom', `file://${probe}`], {
      timeout: 90_000,
      reject: false,
      stdin: 'ignore',
    });
    expect(dom.exitCode, dom.stderr).toBe(0);
    const attr = /data-chain-chart="([^"]*)"/.exec(dom.stdout)?.[1];
    expect(attr, 'the probe script ran').toBeDefined();
    const box = JSON.parse(attr!.replace(/&quot;/g, '"')) as { width: number; height: number; marks: number };
    expect(box.width).toBeGreaterThan(100);
    expect(box.height).toBeGreaterThan(100);
    expect(box.marks).toBeGreaterThan(10);
  });
});
