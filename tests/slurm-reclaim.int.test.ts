import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { JOB_RECORD_NAME, SlurmExecutor } from '../src/core/exec/slurm/slurm-executor.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const inQueue = async (jobId: string) => (await execa('squeue', ['-h', '-j', jobId, '-o', '%T'], { reject: false })).stdout.trim();

// A harness killed mid-node leaves its Slurm job running; the resume reclaims the node before training it again.
describe('reclaiming a node on Slurm', () => {
  it('cancels the job a dead harness left behind, and ignores a node that never submitted one', { timeout: 120_000 }, async () => {
    const workDir = await tempDir('slurm-reclaim');
    const submitted = await execa('sbatch', ['--parsable', `--chdir=${workDir}`, '--output=/dev/null', '--wrap', 'sleep 600']);
    const jobId = submitted.stdout.trim().split(';')[0]!;
    await writeFile(join(workDir, JOB_RECORD_NAME), `${JSON.stringify({ jobId, runId: 'dead-harness', node: 3 })}\n`);
    const deadline = Date.now() + 30_000;
    while ((await inQueue(jobId)) !== 'RUNNING' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 300));
    expect(await inQueue(jobId)).toBe('RUNNING');

    await new SlurmExecutor().reclaim(workDir);
    const gone = Date.now() + 30_000;
    while ((await inQueue(jobId)) !== '' && Date.now() < gone) await new Promise((r) => setTimeout(r, 300));
    expect(await inQueue(jobId)).toBe('');

    await expect(new SlurmExecutor().reclaim(await tempDir('slurm-never'))).resolves.toBeUndefined();
  });
});
