import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BIN, speedrun } from './helpers/cli.js';
import { startLlmStub, type LlmStub } from './helpers/llm-stub.js';
import { fakeTrainingScript } from './helpers/scripted-agent.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

let stub: LlmStub;
afterAll(async () => {
  await stub?.close();
  await removeTempDirs();
});

interface BenchRun {
  run_id: string;
  status: string;
  fsr: number | null;
  best: { node: number } | null;
}

/**
 * Six runs on a tiny task: three null runs train nothing; three runs of an LLM (a loopback stub) train a script that
 * reports a fixed train_time of 5.0 s after 2 s of wall time. Fixed times make the scores of a bench that was killed
 * and resumed exactly comparable with those of one that was not; only the harness's behaviour can differ. So node 0
 * keeps the record table's time (--retime none): trained here, record 5's own time would differ between the benches.
 */
// The fixed script fakes its clock, which the integrity audit rightly rejects: this test is about the harness.
const MATRIX = [
  '--track',
  'tiny',
  '--records',
  '5',
  '--hints',
  'none,L1,L2',
  '--agents',
  'null,llm:fixed',
  '--scaffolds',
  'flat',
  '--nodes',
  '1',
  '--seeds',
  '1',
  '--no-integrity-check',
  '--retime',
  'none',
];
const FIXED_SCRIPT = fakeTrainingScript({ timeMs: 5_000, sleepS: 2, tag: 'fixed' });

function lastEvent(stdout: string): { type: string; runs: BenchRun[] } {
  const lines = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string });
  for (const line of lines) expect(line.type, JSON.stringify(line)).toEqual(expect.any(String));
  return lines.at(-1) as { type: string; runs: BenchRun[] };
}

/** Python processes whose command line mentions `dir` (a training of this bench still running). */
async function processesUnder(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dir)) pids.push(Number(entry));
  }
  return pids;
}

describe('speedrun bench', () => {
  let env: Record<string, string>;
  let reference: BenchRun[];

  beforeAll(async () => {
    stub = await startLlmStub();
    // Every proposal is the same whole script; the stub answers as often as it is asked.
    const always = () => ({ content: `A fixed script.\n\n\`\`\`python\n${FIXED_SCRIPT}\`\`\`` });
    for (let i = 0; i < 200; i++) stub.enqueue(always);
    const config = join(await tempDir('bench-config'), 'speedrun.config.yaml');
    await writeFile(config, `models:\n  fixed:\n    base_url: ${stub.baseUrl}\n    api_key_env: null\n    edit_format: whole\n`);
    env = { SPEEDRUN_CACHE: await tempDir('bench-cache'), SPEEDRUN_CONFIG: config };
  });

  it('runs the matrix and ends its NDJSON stream with bench-finished', { timeout: 300_000 }, async () => {
    const out = await tempDir('bench-plain');
    const result = await speedrun(['bench', ...MATRIX, '--out', out, '--json'], env);
    expect(result.exitCode, result.stderr).toBe(0);
    const last = lastEvent(result.stdout);
    expect(last.type).toBe('bench-finished');
    expect(last.runs).toHaveLength(6);
    expect(last.runs.map((r) => r.status)).toEqual(Array(6).fill('finished'));
    reference = last.runs;
    const manifest = JSON.parse(await readFile(join(out, 'bench.json'), 'utf8'));
    expect(manifest.run_ids).toEqual(last.runs.map((r) => r.run_id));
    for (const run of last.runs) {
      expect(run).toMatchObject({ track: 'tiny', record: 5, scaffold: 'flat', seed: 1 });
      if (run.run_id.includes('-null-')) expect(run).toMatchObject({ fsr: 0, best: { node: 0 } });
      else expect(run).toMatchObject({ best: { node: 1, train_time_ms: 5_000 }, fsr: expect.any(Number) });
    }
  });

  it(
    'survives kill -9: the resumed bench gives the same best nodes and FSRs, trains no finished node twice, leaves no process behind',
    { timeout: 600_000 },
    async () => {
      const out = await tempDir('bench-killed');
      const child = execa('node', [BIN, 'bench', ...MATRIX, '--out', out, '--json'], { env, extendEnv: true, reject: false, stdin: 'ignore' });
      let trained = 0;
      let killed = false;
      child.stdout!.on('data', (chunk: Buffer) => {
        for (const line of String(chunk).split('\n')) {
          // Kill once one training has finished and the next has started: mid-bench, mid-training.
          if (/"type":"node-finished".*"measured_by":"executed"/.test(line)) trained++;
          if (!killed && trained >= 1 && /"type":"metric"/.test(line)) {
            killed = true;
            child.kill('SIGKILL');
          }
        }
      });
      await child;
      expect(killed).toBe(true);
      // The killed harness's trainings die with it (parent-death signal): wait until they are gone, however busy the machine.
      await vi.waitFor(async () => expect(await processesUnder(out)).toEqual([]), { timeout: 30_000, interval: 100 });

      const resumed = await speedrun(['bench', '--resume', out, '--json'], env);
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      const last = lastEvent(resumed.stdout);
      expect(last.runs.map((r) => r.run_id)).toEqual(reference.map((r) => r.run_id));
      for (const [i, run] of last.runs.entries()) {
        const same = reference[i]!;
        expect(run.status).toBe('finished');
        expect(run.best, run.run_id).toEqual(same.best);
        expect(run.fsr, run.run_id).toBe(same.fsr);
      }

      // Across both sessions, every node finished (and trained) at most once.
      for (const run of last.runs) {
        const journal = (await readFile(join(out, run.run_id, 'journal.jsonl'), 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        const finished = journal.filter((e) => e.type === 'node-finished' && e.result.status !== 'aborted').map((e) => e.node);
        expect(new Set(finished).size, run.run_id).toBe(finished.length);
      }
      const again = await speedrun(['bench', ...MATRIX, '--out', out, '--json'], env);
      expect(again.exitCode, again.stderr).toBe(0);
      // Re-running the same command on the folder resumes a finished bench: nothing trains.
      expect(again.stdout).not.toMatch(/"type":"metric"/);
    },
  );

  it('refuses a different bench in the same folder', async () => {
    const out = await tempDir('bench-other');
    const first = await speedrun(
      ['bench', '--track', 'tiny', '--records', '5', '--agents', 'null', '--nodes', '1', '--retime', 'none', '--out', out, '--json'],
      env,
    );
    expect(first.exitCode, first.stderr).toBe(0);
    const other = await speedrun(['bench', '--track', 'tiny', '--records', '4', '--agents', 'null', '--nodes', '1', '--out', out], env);
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toMatch(/holds a different bench/);
  });
});
