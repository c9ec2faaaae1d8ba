import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TimingRule } from '../src/core/catalog/schema.js';
import { runSearch } from '../src/core/search/run-engine.js';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { NodeResult, RunSummary } from '../src/core/store/schema.js';
import type { RetimeMode } from '../src/core/catalog/schema.js';
import { readFile } from 'node:fs/promises';
import { scriptedAgent } from './helpers/scripted-agent.js';
import { scriptTrack } from './helpers/script-track.js';
import { tinySearch } from './helpers/search-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

// r18's own upstream log: it reaches 3.28 at step 1375 (201,992 ms, 3.2793) and ends at step 1390 (204,345 ms,
// 3.2785). The record's time is its final line's.
const R18 = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/fixtures/upstream-logs/r18.log');
const FINAL_MS = 204_345;
const FIRST_CROSSING_MS = 201_992;

/** A stand-in for record 18's training: it prints the fixture log, so its "training" is the same every time. */
const STAND_IN = `import sys\n\nsys.stdout.write(open(${JSON.stringify(R18)}).read())\n`;
/** The stand-in with its whitespace changed and a comment added: the same script to Python. */
const WHITESPACE_EDIT = `# a no-op edit\nimport sys\nsys.stdout.write( open(${JSON.stringify(R18)}).read() )\n\n\n`;
/** A change Python sees but the training does not: it prints the same log, so it is trained and measured. */
const HARMLESS_EDIT = `${STAND_IN}unused = 0\n`;
const NEXT = 'print("step:1395/1395 val_loss:3.2770 train_time:199442ms step_avg:142.97ms")\n';

async function scoreEdit(edit: string, rule: TimingRule, retime: RetimeMode, tableMs: number) {
  const { manifest, cache } = await scriptTrack([STAND_IN, NEXT, NEXT], { times: [tableMs, 199_442, 190_000], rule, target: 3.28 });
  const runDir = join(await tempDir('no-op'), 'run');
  const summary = RunSummary.parse(
    await runSearch(
      await tinySearch({
        runDir,
        manifest,
        cache,
        retime: { mode: retime, repeats: 1 },
        agent: scriptedAgent(() => ({ ok: true, script: edit, note: 'no-op' })),
        scaffold: makeScaffold('flat', { nodes: 1 }),
        times: { baselineMs: tableMs, targetMs: 199_442, from: 'record-table', measuredAt: null, detail: 'record table: test' },
      }),
    ),
  );
  const node = async (n: number) => NodeResult.parse(JSON.parse(await readFile(join(runDir, 'nodes', String(n), 'result.json'), 'utf8')));
  return { summary, node0: await node(0), node1: await node(1) };
}

describe("a no-op edit of r18 replayed through a stand-in trainer (the upstream log's own output)", () => {
  it('scores exactly 0 under the final rule, with node 0 and the edit both timed at the final line', { timeout: 60_000 }, async () => {
    const { summary, node0, node1 } = await scoreEdit(WHITESPACE_EDIT, 'final', 'baseline', 211_840);
    expect(node0).toMatchObject({ measured_by: 'executed', time_to_target_ms: FINAL_MS, val_loss_at_target: 3.2785 });
    // The same script to Python: a duplicate of node 0, not trained again.
    expect(node1).toMatchObject({ measured_by: 'duplicate', duplicate_of: 0, time_to_target_ms: FINAL_MS });
    expect(summary).toMatchObject({ fsr: 0, best: { node: 0, train_time_ms: FINAL_MS }, timing_rule: 'final' });
  });

  it('a whitespace edit scores 0 against record-table times too (it is node 0, not a new measurement)', { timeout: 60_000 }, async () => {
    for (const rule of ['final', 'first-crossing'] as const) {
      const { summary, node1 } = await scoreEdit(WHITESPACE_EDIT, rule, 'none', 211_840);
      expect(node1).toMatchObject({ measured_by: 'duplicate', duplicate_of: 0, time_to_target_ms: 211_840 });
      expect(summary.fsr).toBe(0);
    }
  });

  it(
    'an edit that trains to the same log is timed like the record: 0 under final, > 0 only by first crossing against a final-line t_i',
    { timeout: 60_000 },
    async () => {
      // The record table's t_i is the log's own final-line figure; the edited script is trained and read by each rule.
      const final = await scoreEdit(HARMLESS_EDIT, 'final', 'none', FINAL_MS);
      expect(final.node1).toMatchObject({ measured_by: 'executed', time_to_target_ms: FINAL_MS });
      expect(final.summary.fsr).toBe(0);
      // The issue this rule settles: read at its first crossing, the unchanged training looks 2.4 s faster.
      const mixed = await scoreEdit(HARMLESS_EDIT, 'first-crossing', 'none', FINAL_MS);
      expect(mixed.node1.time_to_target_ms).toBe(FIRST_CROSSING_MS);
      expect(mixed.summary.fsr).toBeGreaterThan(0);
    },
  );
});
