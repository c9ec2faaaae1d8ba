import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bestNode } from '../src/core/search/best-node.js';
import { runSearch } from '../src/core/search/run-engine.js';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { NodeResult, RunSummary } from '../src/core/store/schema.js';
import { applyCase, LEGITIMATE, TAMPERING, type CorpusCase } from './fixtures/tampering/cases.js';
import { scriptedAgent } from './helpers/scripted-agent.js';
import { tinySearch } from './helpers/search-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const recordScript = (record: string) => readFileSync(join(root, 'records/tiny', record, 'train_gpt.py'), 'utf8');

/**
 * One flat search whose node n is the n-th script given, proposed by a scripted agent, with the run's own
 * integrity audit on (the python checker against the run's baseline record). Scripts that pass the audit start
 * training and crash at once without the track's data environment: what matters here is the audit, not the times.
 */
async function searchWith(record: number, scripts: Array<{ name: string; script: string }>) {
  const runDir = join(await tempDir('integrity-engine'), 'run');
  const agent = scriptedAgent((input) => ({ ok: true, script: scripts[input.node - 1]!.script, note: scripts[input.node - 1]!.name }));
  const summary = RunSummary.parse(
    await runSearch(await tinySearch({ runDir, record, agent, scaffold: makeScaffold('flat', { nodes: scripts.length }), checkScript: undefined })),
  );
  const nodes = await Promise.all(
    scripts.map(async (_, i) => NodeResult.parse(JSON.parse(await readFile(join(runDir, 'nodes', String(i + 1), 'result.json'), 'utf8')))),
  );
  return { summary, nodes };
}

// The r06 cases run in a task from record 5 (record 6 is the last rung, so no task starts there); the audit
// compares them with r05, and r05 -> r06 is itself a legitimate transition.
const taskOf = (c: CorpusCase) => (c.record === 'r01' ? 1 : 5);
const scriptsFor = (cases: CorpusCase[], record: number) =>
  cases.filter((c) => taskOf(c) === record).map((c) => ({ name: c.name, script: applyCase(c, recordScript) }));

describe('the integrity audit in the run engine', () => {
  it.each([1, 5])(
    'rejects or flags every tampering case proposed in a task from record %i, and never picks one as best',
    { timeout: 240_000 },
    async (record) => {
      const cases = TAMPERING.filter((c) => taskOf(c) === record);
      const { summary, nodes } = await searchWith(record, scriptsFor(TAMPERING, record));
      cases.forEach((c, i) => {
        const node = nodes[i]!;
        const audit = node.integrity;
        expect(audit, c.name).not.toBeNull();
        if (c.verdict === 'reject') {
          expect(node, c.name).toMatchObject({ status: 'rejected', measured_by: 'integrity-check', time_to_target_ms: null });
          expect(audit!.verdict, c.name).toBe('reject');
          expect(node.error, c.name).toMatch(/^rejected by the integrity check: reject /);
        } else {
          // A flag keeps the node valid; here it crashes for want of data, which is not what is tested.
          expect(audit!.verdict, c.name).toBe('flag');
          expect(node.status, c.name).not.toBe('rejected');
        }
        // The audit log: every finding with its rule, severity, lines, message and the offending lines' text.
        for (const f of audit!.findings) {
          expect(f.rule.length).toBeGreaterThan(0);
          expect(f.excerpt.length).toBe(Math.min(f.lines.length, 8));
          if (f.lines[0] !== undefined) expect(f.excerpt[0]).toMatch(new RegExp(`^${f.lines[0]}: `));
        }
      });
      expect(summary.best?.node).toBe(0);
      expect(summary.fsr).toBe(0);
      expect(summary.integrity.rejected).toEqual(nodes.filter((n) => n.status === 'rejected').map((n) => n.node));
      expect(summary.integrity.rejected.length).toBe(cases.filter((c) => c.verdict === 'reject').length);
      expect(summary.integrity.flagged.length).toBe(cases.filter((c) => c.verdict === 'flag').length);
    },
  );

  it("raises no reject for legitimate edits, the tiny ladder's own next records among them", { timeout: 240_000 }, async () => {
    for (const record of [1, 5]) {
      const next = { name: `record ${record + 1}`, script: recordScript(`r0${record + 1}`) };
      const { nodes, summary } = await searchWith(record, [next, ...scriptsFor(LEGITIMATE, record)]);
      for (const node of nodes) {
        expect(node.status, node.note ?? '').not.toBe('rejected');
        expect(node.integrity?.verdict, node.note ?? '').not.toBe('reject');
      }
      expect(nodes[0]!.integrity).toMatchObject({ verdict: 'ok', findings: [] });
      expect(summary.integrity.rejected).toEqual([]);
    }
  });

  it('never picks a rejected node as best, however fast it claims to be', () => {
    const fast = NodeResult.parse({
      node: 1,
      parent: 0,
      operator: 'draft',
      second_parent: null,
      status: 'rejected',
      measured_by: 'integrity-check',
      duplicate_of: null,
      script_sha256: null,
      note: null,
      error: 'rejected',
      llm: null,
      time_to_target_ms: 1,
      val_loss_at_target: 3.0,
      final: null,
      wall_ms: null,
      exit_code: null,
      stderr_tail: '',
      warnings: [],
    });
    const baseline = {
      ...fast,
      node: 0,
      parent: null,
      operator: 'baseline' as const,
      status: 'ok' as const,
      measured_by: 'record-table' as const,
      time_to_target_ms: 36_000,
    };
    expect(bestNode([baseline, fast])?.node).toBe(0);
    expect(fast.integrity).toBeNull();
  });
});
