import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { checkScript, type IntegrityReport } from '../src/core/measure/integrity.js';

// The audit on scripts in the shape of each era of the real records (tests/fixtures/eras/README.md): the true next
// record passes as the task itself, comment-only edits pass, and every tampering trick, written as an AST rewrite
// so it applies to any era, is still rejected in the task's context. `scripts/audit-records.mjs` runs the same
// tricks on the real upstream records of a synced cache.

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const python = 'python3';
const eras = ['early', 'middle', 'late'] as const;
const read = (era: string, name: string) => readFileSync(join(root, 'tests/fixtures/eras', era, `${name}.py`), 'utf8');
const tinyRecord = (n: number) => readFileSync(join(root, 'records/tiny', `r0${n}`, 'train_gpt.py'), 'utf8');

interface TamperCase {
  name: string;
  rule: string | null;
  verdict: 'reject' | 'flag';
  script: string;
}

async function tamperings(script: string): Promise<TamperCase[]> {
  const { stdout } = await execa(python, [join(root, 'tests/fixtures/tampering/ast_tampering.py')], { input: JSON.stringify({ script }) });
  return (JSON.parse(stdout) as { cases: TamperCase[] }).cases;
}

const describeReport = (r: IntegrityReport) => r.findings.map((f) => `${f.severity} ${f.rule}${f.by_record ? ' (by record)' : ''}: ${f.message}`).join('\n');

/** Comments and blank lines before every top-level definition, and a header comment: a no-op edit. */
function commentOnly(script: string): string {
  const lines = script.split('\n').flatMap((line) => (/^(def|class) /.test(line) ? ['# a note from the agent', '', line] : [line]));
  return `# edited by an agent\n${lines.join('\n')}`;
}

describe.each(eras)('the %s era', (era) => {
  const base = read(era, 'base');
  const next = read(era, 'next');

  it('accepts the true next record as the task itself, each change flagged as the record’s own', async () => {
    const report = await checkScript({ script: next, baseline: base, reference: next, python });
    expect(report.verdict, describeReport(report)).toBe('flag');
    expect(
      report.findings.every((f) => f.severity === 'flag'),
      describeReport(report),
    ).toBe(true);
    expect(
      report.findings.some((f) => f.by_record && f.message.startsWith('the record itself changed this: ')),
      describeReport(report),
    ).toBe(true);
  });

  it('rejects the same changes when no next record sanctions them', async () => {
    const report = await checkScript({ script: next, baseline: base, python });
    expect(report.verdict, describeReport(report)).toBe('reject');
    expect(report.findings.some((f) => f.by_record)).toBe(false);
  });

  it('accepts the next record reached with the agent’s own comments and a tuned learning rate beside it', async () => {
    const tuned = commentOnly(next).replace(/lr=([0-9.]+)/, (_, lr: string) => `lr=${Number(lr) * 1.1}`);
    expect(tuned).not.toBe(commentOnly(next));
    const report = await checkScript({ script: tuned, baseline: base, reference: next, python });
    expect(
      report.findings.filter((f) => f.severity === 'reject'),
      describeReport(report),
    ).toEqual([]);
  });

  it('takes a comment-only edit of the baseline as ok', async () => {
    const report = await checkScript({ script: commentOnly(base), baseline: base, reference: next, python });
    expect(report, describeReport(report)).toEqual({ verdict: 'ok', findings: [] });
  });

  it('still rejects every tampering trick in the task’s context, each by its own rule', async () => {
    const cases = await tamperings(base);
    expect(cases.length).toBeGreaterThanOrEqual(20);
    const reports = await Promise.all(cases.map((c) => checkScript({ script: c.script, baseline: base, reference: next, python })));
    for (const [i, c] of cases.entries()) {
      const report = reports[i]!;
      expect(report.verdict, `${era}: ${c.name}\n${describeReport(report)}`).toBe(c.verdict);
      if (c.rule) {
        const own = report.findings.filter((f) => f.rule === c.rule && f.severity === c.verdict && !f.by_record);
        expect(own.length, `${era}: ${c.name} must trip ${c.rule}\n${describeReport(report)}`).toBeGreaterThan(0);
      }
    }
  });
});

describe('the tampering tricks', () => {
  it('each apply to some era or tiny record, so none silently turns into a no-op', async () => {
    const scripts = [...eras.flatMap((era) => [read(era, 'base'), read(era, 'next')]), ...[1, 2, 3, 4, 5, 6].map(tinyRecord)];
    const applied = new Set((await Promise.all(scripts.map(tamperings))).flat().map((c) => c.name));
    const { stdout } = await execa(python, [
      '-c',
      'import json,sys; sys.path.insert(0, sys.argv[1]); import ast_tampering as t; print(json.dumps([n for n, *_ in t.TRICKS]))',
      join(root, 'tests/fixtures/tampering'),
    ]);
    const all = JSON.parse(stdout) as string[];
    expect(all.filter((name) => !applied.has(name))).toEqual([]);
  });

  it('are rejected on the tiny ladder too, with the next tiny record as the reference', async () => {
    for (const record of [1, 5]) {
      const base = tinyRecord(record);
      const cases = await tamperings(base);
      const reports = await Promise.all(cases.map((c) => checkScript({ script: c.script, baseline: base, reference: tinyRecord(record + 1), python })));
      for (const [i, c] of cases.entries()) {
        const report = reports[i]!;
        expect(report.verdict, `r0${record}: ${c.name}\n${describeReport(report)}`).toBe(c.verdict);
      }
    }
  });
});
