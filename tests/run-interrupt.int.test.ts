import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { RunSummary, NodeResult } from '../src/core/store/schema.js';
import { BIN } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

describe('interrupting a run', () => {
  it('Ctrl-C stops training at once and keeps the run folder with its status', { timeout: 300_000 }, async () => {
    const cache = await tempDir('int');
    const out = join(cache, 'results');
    // Record 1 trains for the longest, so the interrupt lands mid-training; node 0 keeps the record table's time, so
    // node 1 trains first (stopping a scoring round is the scoring-round test's).
    const child = execa(
      'node',
      [BIN, 'run', '--track', 'tiny', '--record', '1', '--agent', 'reference', '--retime', 'none', '--json', '--cache', cache, '--out', out],
      {
        reject: false,
        stdin: 'ignore',
      },
    );
    let interruptedAt = 0;
    child.stderr!.on('data', (chunk: Buffer) => {
      // The first validation line means the script is training.
      if (!interruptedAt && /node 1: step \d+\//.test(String(chunk))) {
        interruptedAt = Date.now();
        child.kill('SIGINT');
      }
    });
    const result = await child;
    expect(interruptedAt, result.stderr).toBeGreaterThan(0);
    expect(Date.now() - interruptedAt).toBeLessThan(10_000);
    expect(result.exitCode).toBe(1);

    const [runId] = await readdir(out);
    const run = JSON.parse(await readFile(join(out, runId!, 'run.json'), 'utf8'));
    expect(RunSummary.parse(run.result)).toMatchObject({ status: 'aborted', fsr: 0 });
    const node = NodeResult.parse(JSON.parse(await readFile(join(out, runId!, 'nodes', '1', 'result.json'), 'utf8')));
    expect(node.status).toBe('aborted');
    expect(await readFile(join(out, runId!, 'nodes', '1', 'stdout.log'), 'utf8')).toMatch(/^step:0\//m);
  });
});
