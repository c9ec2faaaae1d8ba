import { afterAll, describe, expect, it } from 'vitest';
import { check, doctorBinary } from './helpers/doctor-cli.js';
import { removeTempDirs } from './helpers/temp.js';

const { dirs, doctor, doctorJson } = doctorBinary();
afterAll(removeTempDirs);

// `speedrun doctor` on this very machine: these pass only where a Python with torch is installed (doctor.test.ts
// covers the rest with stand-in tools).
describe('speedrun doctor on this machine', () => {
  it('passes for the local executor on this machine, with a Python that has torch', async () => {
    const result = await doctor([]);
    expect(result.exitCode).toBe(0);
    const out = String(result.stdout);
    expect(out).toMatch(/^✓ Python with torch: .+ \(torch .+\)$/m);
    expect(out).toMatch(/^✓ Node\.js: v\d+/m);
    expect(out).toMatch(/^- Docker engine: only for --executor docker$/m);
    expect(out.trim().split('\n').pop()).toMatch(/^ready/);
  });

  it('prints { ok, checks } with --json, every check as data and the irrelevant ones skipped', async () => {
    const { exitCode, report } = await doctorJson([]);
    expect(exitCode).toBe(0);
    expect(Object.keys(report).sort()).toEqual(['checks', 'ok']);
    expect(report.ok).toBe(true);
    // Every check has the same shape; one that warns or fails says how to fix it. Asserted over the whole list, so no
    // expectation hides behind a condition that this machine's results might never meet.
    const shape = (c: object) => ({
      id: expect.any(String),
      title: expect.any(String),
      status: expect.stringMatching(/^(ok|warn|fail|skip)$/),
      detail: expect.any(String),
      ...('fix' in c && { fix: expect.any(String) }),
    });
    expect(report.checks).toEqual(report.checks.map(shape));
    expect(report.checks.filter((c) => (c.status === 'warn' || c.status === 'fail') && !c.fix).map((c) => c.id)).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining(['node', 'git', 'python', 'blas', 'data', 'gpus', 'docker', 'slurm-commands', 'llm-key', 'llm-endpoint']),
    );
    for (const id of ['gpus', 'docker', 'docker-image', 'slurm-commands', 'llm-key', 'llm-endpoint']) expect(check(report, id).status).toBe('skip');
    expect(check(report, 'python').status).toBe('ok');
    expect(check(report, 'data').detail).toContain(dirs.cache);
  });
});
