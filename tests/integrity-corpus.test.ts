import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalError } from '../src/core/errors.js';
import { checkScript, IntegrityReportSchema, verdictOf, type IntegrityReport } from '../src/core/measure/integrity.js';
import { LEGITIMATE, TAMPERING, type CorpusCase } from './fixtures/tampering/cases.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const bin = join(root, 'bin/speedrun.js');
const python = 'python3';
// The tiny track's own rule, as the engine passes it: under first crossing the validation schedule is protected.
const timingRule = 'first-crossing' as const;
const tmp = mkdtempSync(join(tmpdir(), 'speedrun-integrity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const recordScript = (record: string) => readFileSync(join(root, 'records/tiny', record, 'train_gpt.py'), 'utf8');

/** Applies a case's replacements; each must match exactly once, so a stale case fails loudly instead of passing. */
function applyEdits(c: CorpusCase): string {
  let script = recordScript(c.record);
  for (const { from, to } of c.edits) {
    expect(script.split(from).length - 1, `${c.name}: '${from.slice(0, 40)}' must occur once`).toBe(1);
    script = script.replace(from, to);
  }
  return script;
}

const describeReport = (r: IntegrityReport) => r.findings.map((f) => `${f.severity} ${f.rule} ${JSON.stringify(f.lines)} ${f.message}`).join('\n');

describe('integrity corpus: tampering tricks', () => {
  it.each(TAMPERING.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const report = await checkScript({ script: applyEdits(c), baseline: recordScript(c.record), python, timingRule });
    expect(report.verdict, describeReport(report)).toBe(c.verdict);
    if (c.rule)
      expect(
        report.findings.map((f) => f.rule),
        describeReport(report),
      ).toContain(c.rule);
    expect(report.findings.every((f) => f.lines.length > 0 || f.rule === 'syntax' || f.message.includes('removed'))).toBe(true);
  });

  it('has at least 15 distinct named tricks, each rejected or flagged', () => {
    expect(new Set(TAMPERING.map((c) => c.name)).size).toBe(TAMPERING.length);
    expect(TAMPERING.filter((c) => c.verdict === 'reject').length).toBeGreaterThanOrEqual(15);
    expect(TAMPERING.every((c) => c.verdict !== 'ok')).toBe(true);
  });
});

describe('integrity corpus: legitimate speedups', () => {
  const ladder = ['r01', 'r02', 'r03', 'r04', 'r05', 'r06'];
  it.each(ladder.slice(1).map((next, i) => [ladder[i] ?? '', next]))('record %s -> %s raises no reject and nothing but its own changes', async (prev, next) => {
    const report = await checkScript({ script: recordScript(next), baseline: recordScript(prev), reference: recordScript(next), python, timingRule });
    expect(report.verdict, describeReport(report)).not.toBe('reject');
    expect(
      report.findings.every((f) => f.by_record),
      describeReport(report),
    ).toBe(true);
  });

  it.each(LEGITIMATE.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const report = await checkScript({ script: applyEdits(c), baseline: recordScript(c.record), python, timingRule });
    expect(report.verdict, describeReport(report)).toBe(c.verdict);
    if (c.rule) expect(report.findings.map((f) => f.rule)).toContain(c.rule);
  });
});

describe('the validation schedule', () => {
  const moreOften = () => recordScript('r06').replace('val_every = 10', 'val_every = 2');

  it('is free under the final-line rule, where the last step always validates', async () => {
    const report = await checkScript({ script: moreOften(), baseline: recordScript('r06'), python, timingRule: 'final' });
    expect(report).toEqual({ verdict: 'ok', findings: [] });
  });

  it("is the next record's own change where it makes it (tiny record 4 validates every 10 steps, not 25)", async () => {
    const report = await checkScript({ script: recordScript('r04'), baseline: recordScript('r03'), reference: recordScript('r04'), python, timingRule });
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'val_schedule', severity: 'flag', by_record: true })]);
    const alone = await checkScript({ script: moreOften(), baseline: recordScript('r06'), reference: recordScript('r06'), python, timingRule });
    expect(alone.verdict).toBe('reject');
  });
});

describe('checkScript', () => {
  it('reports a syntax error as a reject with its line instead of crashing', async () => {
    const report = await checkScript({ script: 'x = 1\ndef broken(:\n', baseline: recordScript('r01'), python });
    expect(report).toEqual({ verdict: 'reject', findings: [expect.objectContaining({ rule: 'syntax', severity: 'reject', lines: [2] })] });
  });

  it('takes an identical script as ok and gives back schema-valid JSON', async () => {
    const report = await checkScript({ script: recordScript('r04'), baseline: recordScript('r04'), python });
    expect(IntegrityReportSchema.parse(report)).toEqual({ verdict: 'ok', findings: [] });
  });

  it('throws an ExternalError naming python when the interpreter cannot run', async () => {
    const run = checkScript({ script: '', baseline: '', python: join(tmp, 'no-such-python') });
    await expect(run).rejects.toBeInstanceOf(ExternalError);
    await expect(run).rejects.toThrow(/^python: /);
  });

  it('takes the worst severity as the verdict', () => {
    const f = (severity: 'reject' | 'flag') => ({ rule: 'r', severity, lines: [1], message: 'm' });
    expect(verdictOf([])).toBe('ok');
    expect(verdictOf([f('flag')])).toBe('flag');
    expect(verdictOf([f('flag'), f('reject')])).toBe('reject');
  });
});

describe('speedrun check (built binary)', () => {
  const speedrun = (...args: string[]) => execa('node', [bin, ...args], { cwd: root, reject: false });
  const record = (r: string) => join(root, 'records/tiny', r, 'train_gpt.py');

  beforeAll(() => {
    expect(existsSync(join(root, 'dist/cli/commands/check.js')), 'build first: npx tsc -p tsconfig.json').toBe(true);
  });

  it('--json prints one object with verdict and findings; exit 0 for ok', async () => {
    const { exitCode, stdout } = await speedrun('check', record('r02'), '--against', record('r01'), '--json');
    expect(exitCode).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout)).toEqual({ verdict: 'ok', findings: [] });
  });

  it('exits 1 on a reject and names the rule and lines', async () => {
    const tampered = join(tmp, 'tampered.py');
    writeFileSync(tampered, recordScript('r01').replace('val_tokens = int(os.environ["NANOGPT_VAL_TOKENS"])', 'val_tokens = 1024'));
    const json = await speedrun('check', tampered, '--against', record('r01'), '--json');
    expect(json.exitCode).toBe(1);
    const out = IntegrityReportSchema.parse(JSON.parse(json.stdout));
    expect(out.verdict).toBe('reject');
    expect(Object.keys(out.findings[0] ?? {}).sort()).toEqual(['lines', 'message', 'rule', 'severity']);
    expect(out.findings.find((f) => f.rule === 'val_tokens')?.lines).toEqual([32]);
    const human = await speedrun('check', tampered, '--against', record('r01'));
    expect(human.exitCode).toBe(1);
    expect(human.stdout).toMatch(/: reject\n/);
    expect(human.stdout).toMatch(/\n\s+reject val_tokens \(line 32\): /);
  });

  it('exits 0 on a flag', async () => {
    const flagged = join(tmp, 'flagged.py');
    writeFileSync(flagged, recordScript('r01').replace('torch.manual_seed(0)', 'torch.manual_seed(7)'));
    const { exitCode, stdout } = await speedrun('check', flagged, '--against', record('r01'), '--json');
    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ verdict: 'flag', findings: [{ rule: 'seed', severity: 'flag' }] });
  });

  it('takes the task from the catalog with --track/--record: the next record is the task, tampering is not', async () => {
    const ok = await speedrun('check', record('r02'), '--track', 'tiny', '--record', '1', '--json');
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ verdict: 'ok', findings: [] });
    const tampered = join(tmp, 'tampered-task.py');
    writeFileSync(tampered, recordScript('r01').replace('val_tokens = int(os.environ["NANOGPT_VAL_TOKENS"])', 'val_tokens = 1024'));
    const human = await speedrun('check', tampered, '--track', 'tiny', '--record', '1');
    expect(human.exitCode).toBe(1);
    expect(human.stdout).toMatch(/against tiny record 1 \(task 1 → 2\): reject/);
  });

  it('flags a change the --reference record makes the same way instead of rejecting it', async () => {
    // A next record that changes val_tokens (as real records 16 → 17 did) sanctions exactly that change.
    const base = join(tmp, 'base.py');
    const next = join(tmp, 'next.py');
    writeFileSync(base, recordScript('r01'));
    writeFileSync(next, recordScript('r01').replace('val_tokens = int(os.environ["NANOGPT_VAL_TOKENS"])', 'val_tokens = 10485760'));
    const alone = await speedrun('check', next, '--against', base, '--json');
    expect(JSON.parse(alone.stdout)).toMatchObject({ verdict: 'reject' });
    const task = await speedrun('check', next, '--against', base, '--reference', next, '--json');
    expect(task.exitCode, task.stderr).toBe(0);
    const report = IntegrityReportSchema.parse(JSON.parse(task.stdout));
    expect(report.verdict).toBe('flag');
    expect(report.findings.map((f) => f.rule).sort()).toEqual(['data_loading', 'val_tokens']); // the env read went too
    for (const f of report.findings)
      expect(f).toMatchObject({ severity: 'flag', by_record: true, message: expect.stringMatching(/^the record itself changed this: /) });
  });

  it('refuses half a task or no baseline, saying what to give', async () => {
    const half = await speedrun('check', record('r02'), '--track', 'tiny');
    expect(half.exitCode).toBe(2);
    expect(half.stderr).toMatch(/--track and --record go together/);
    const none = await speedrun('check', record('r02'));
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/fix: give the task \(--track T --record N\) or the baseline script/);
  });

  it('exits 2 for a missing file, with a fix', async () => {
    const { exitCode, stderr } = await speedrun('check', join(tmp, 'missing.py'), '--against', record('r01'));
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(/script not found: .*missing\.py\nfix: /);
  });

  it('documents the exit codes in --help', async () => {
    const { exitCode, stdout } = await speedrun('check', '--help');
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/1 when it is reject/);
  });
});
