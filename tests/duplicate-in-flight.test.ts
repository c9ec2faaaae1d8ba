import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScriptChecker } from '../src/core/search/integrity-gate.js';
import { runSearch } from '../src/core/search/run-engine.js';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { NodeResult } from '../src/core/store/schema.js';
import { fakeTrainingScript, scriptedAgent } from './helpers/scripted-agent.js';
import { tinySearch } from './helpers/search-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

// The reference agent proposes the same script for every node, the next proposal arriving while the first is still
// being audited: it must wait for that measurement, never train the same script a second time (seen: eight copies of
// record 6 each trained, each with its own noise, the fastest copy taking the star).
describe('a script proposed again while its first copy is still being measured', () => {
  it('waits for that measurement and is its duplicate, however long the audit takes', { timeout: 60_000 }, async () => {
    const runDir = join(await tempDir('dup-in-flight'), 'run');
    const script = fakeTrainingScript({ timeMs: 20_000 });
    let audits = 0;
    // A slow audit, as the Python checker is on a busy machine.
    const checkScript: ScriptChecker = async () => {
      audits++;
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { verdict: 'ok', findings: [] };
    };
    const agent = scriptedAgent(() => ({ ok: true, script, note: 'the same script' }));
    await runSearch(await tinySearch({ runDir, agent, scaffold: makeScaffold('flat', { nodes: 3 }), checkScript }));
    const nodes = await Promise.all(
      [1, 2, 3].map(async (n) => NodeResult.parse(JSON.parse(await readFile(join(runDir, 'nodes', String(n), 'result.json'), 'utf8')))),
    );
    expect(nodes.map((n) => n.measured_by)).toEqual(['executed', 'duplicate', 'duplicate']);
    expect(nodes.map((n) => n.duplicate_of)).toEqual([null, 1, 1]);
    expect(audits).toBe(1);
  });
});
