import { afterAll, describe, expect, it } from 'vitest';
import { formatRunSummary } from '../src/cli/format.js';
import type { Finding } from '../src/core/measure/integrity-report.js';
import { claimedBest, flaggedBest, withholdingFlags } from '../src/core/search/best-node.js';
import type { ScriptChecker } from '../src/core/search/integrity-gate.js';
import { runSearch } from '../src/core/search/run-engine.js';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { nodeResult } from '../src/core/store/node-result.js';
import { RunSummary, type NodeResult } from '../src/core/store/schema.js';
import { fakeTrainingScript, scriptedAgent } from './helpers/scripted-agent.js';
import { tinySearch } from './helpers/search-fixtures.js';
import { removeTempDirs } from './helpers/temp.js';

afterAll(removeTempDirs);

// The headline never rests on a flag (README "Integrity"): the claimed score comes from the fastest node the audit
// did not flag, a faster flagged node is shown beside it, and a flag that only says the next record makes the same
// change casts no doubt.

const flag = (rule: string, byRecord = false): Finding => ({
  rule,
  severity: 'flag',
  lines: [3],
  message: `a ${rule} finding`,
  ...(byRecord && { by_record: true }),
});

function node(n: number, timeMs: number, findings: Finding[] = []): NodeResult {
  return nodeResult({
    node: n,
    parent: 0,
    operator: 'draft',
    status: 'ok',
    measured_by: 'executed',
    script_sha256: `${n}`,
    time_to_target_ms: timeMs,
    integrity: findings.length ? { verdict: 'flag', baseline_sha256: 'b', findings: findings.map((f) => ({ ...f, excerpt: [] })) } : null,
  });
}

describe('the node a score rests on', () => {
  const nodes = [node(0, 36_000), node(1, 20_000, [flag('file_io')]), node(2, 25_000, [flag('clock', true)]), node(3, 30_000)];

  it('skips a node with a flag of its own, and keeps one whose only flags are the next record’s own changes', () => {
    expect(withholdingFlags(nodes[1]!)).toEqual(['flag file_io (line 3): a file_io finding']);
    expect(withholdingFlags(nodes[2]!)).toEqual([]);
    expect(claimedBest(nodes)?.node).toBe(2);
    expect(flaggedBest(nodes)?.node).toBe(1);
  });

  it('has no flagged best when the fastest node is unflagged', () => {
    expect(flaggedBest([nodes[0]!, nodes[3]!])).toBeNull();
    expect(flaggedBest([nodes[0]!, node(1, 40_000, [flag('seed')]), nodes[3]!])).toBeNull();
  });
});

describe('a run whose fastest node is flagged', () => {
  it('claims the fastest unflagged node and shows the flagged one beside it, with its FSR and its flags', { timeout: 120_000 }, async () => {
    const scripts = [
      fakeTrainingScript({ timeMs: 20_000, tag: 'reads a cached file' }),
      fakeTrainingScript({ timeMs: 25_000, tag: 'the record own change' }),
      fakeTrainingScript({ timeMs: 30_000, tag: 'clean' }),
    ];
    // The checker stands in for the Python audit: the first script gets a flag of its own, the second a by-record flag.
    const checkScript: ScriptChecker = async ({ script }) => {
      if (script.includes('cached file')) return { verdict: 'flag', findings: [flag('file_io')] };
      if (script.includes('record own')) return { verdict: 'flag', findings: [flag('clock', true)] };
      return { verdict: 'ok', findings: [] };
    };
    const agent = scriptedAgent((input) => ({ ok: true, script: scripts[input.node - 1]!, note: `node ${input.node}` }));
    const summary = RunSummary.parse(await runSearch(await tinySearch({ agent, scaffold: makeScaffold('flat', { nodes: 3 }), checkScript })));
    expect(summary.best?.node).toBe(2);
    expect(summary.fsr).toBeCloseTo((36_000 - 25_000) / (36_000 - 21_900), 10);
    expect(summary.flagged_best).toEqual({
      node: 1,
      train_time_ms: 20_000,
      val_loss: 1.85,
      fsr: (36_000 - 20_000) / (36_000 - 21_900),
      flags: ['flag file_io (line 3): a file_io finding'],
    });
    expect(summary.integrity.flagged).toEqual([1]);
    expect(formatRunSummary(summary)).toMatch(/flagged {4}node 1: 20\.0 s, FSR 1\.135, not claimed \(flag file_io .*\); `speedrun verify` re-runs it/);
  });
});
