import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RUN_FILE } from '../src/core/store/layout.js';
import type { IndexData, RunRow } from '../src/core/view/view-data.js';
import { startViewServer, type ViewServer } from '../src/core/view/view-server.js';
import { syntheticRun, writeRunFolder } from './helpers/report-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

// The server keeps each run's index row while its run.json and verification.json are unchanged (row-cache.ts), and
// lists the folders again on every index after the first: what changes on disk must still show on reload.

let server: ViewServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(removeTempDirs);

async function index(): Promise<Map<string, RunRow>> {
  const res = await fetch(new URL('api/index', server!.url));
  expect(res.status).toBe(200);
  const data = (await res.json()) as IndexData;
  return new Map(data.benches.flatMap((b) => b.runs).map((r) => [r.run_id ?? r.id, r]));
}

describe('the index of a server left running', () => {
  it('shows a rewritten run.json, a new run and a damaged one on the next load, and the unchanged rows as before', async () => {
    const dir = await tempDir('view-cache');
    const runs = [1, 2, 3].map((record) => syntheticRun({ record, hint: 'none', model: 'm', nodes: [90_000] }));
    for (const run of runs) await writeRunFolder(dir, run);
    server = await startViewServer([dir], '127.0.0.1', 0);

    const first = await index();
    expect([...first.keys()].sort()).toEqual(runs.map((r) => r.summary.run_id).sort());
    const [a, b] = runs.map((r) => r.summary.run_id);
    expect(first.get(a!)!.fsr).toBe(runs[0]!.summary.fsr);

    // Rewritten through the store (a new file by rename), with a better node: a new FSR.
    const better = syntheticRun({ record: 1, hint: 'none', model: 'm', nodes: [90_000, 70_000] });
    await writeRunFolder(dir, better);
    await writeRunFolder(dir, syntheticRun({ record: 4, hint: 'none', model: 'm', nodes: [95_000] }));
    await writeFile(join(dir, b!, RUN_FILE), '{"config": {"run_id": "cut');

    const second = await index();
    expect(second.size).toBe(4);
    expect(second.get(a!)!.fsr).toBe(better.summary.fsr);
    expect(second.get(a!)!.fsr).not.toBe(first.get(a!)!.fsr);
    expect(second.get(runs[2]!.summary.run_id)).toEqual(first.get(runs[2]!.summary.run_id));
    const damaged = [...second.values()].find((r) => r.status === 'damaged');
    expect(damaged?.damaged).toMatchObject({ file: RUN_FILE, reason: expect.stringMatching(/not valid JSON/) as unknown });

    // Mended: written again through the store, it reads as before.
    await writeRunFolder(dir, runs[1]!);
    expect((await index()).get(b!)!.status).toBe('finished');
  });
});
