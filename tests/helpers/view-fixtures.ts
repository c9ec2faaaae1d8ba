import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { BIN, speedrun } from './cli.js';
import { tempDir } from './temp.js';

/** Results folders for `speedrun view` tests, made by the real CLI on the simulated executor. */
export interface ViewResults {
  /** A bench of the built-in LLM agent (simulated model, so its nodes have model calls) and the reference agent. */
  bench: string;
  /** A folder holding one run of `speedrun run`. */
  single: string;
  env: Record<string, string>;
}

export async function makeViewResults(): Promise<ViewResults> {
  const env = { SPEEDRUN_CACHE: await tempDir('view-cache'), SPEEDRUN_SIM_TIME_SCALE: '0.01' };
  const dir = await tempDir('view-results');
  const spec = join(dir, 'bench.yaml');
  await writeFile(
    spec,
    [
      'tracks: [tiny]',
      'records: "1"',
      'hints: [none]',
      'agents:',
      '  - {name: llm, model: sim/a}',
      '  - {name: reference}',
      'scaffolds: [flat]',
      'nodes: 2',
      'seeds: 1',
      'executor: sim',
      '',
    ].join('\n'),
  );
  const bench = join(dir, 'bench');
  const made = await speedrun(['bench', spec, '--out', bench, '--json'], env);
  if (made.exitCode !== 0) throw new Error(`bench failed: ${made.stderr}`);
  const single = join(dir, 'single');
  const ran = await speedrun(
    ['run', '--track', 'tiny', '--record', '1', '--agent', 'reference', '--executor', 'sim', '--nodes', '1', '--out', single, '--json'],
    env,
  );
  if (ran.exitCode !== 0) throw new Error(`run failed: ${ran.stderr}`);
  return { bench, single, env };
}

/** `speedrun view ROOTS --port 0` as a user starts it; resolves with the address it prints and the process to stop. */
export async function startView(roots: string[], extra: string[] = []): Promise<{ url: string; process: ResultPromise }> {
  const child = execa('node', [BIN, 'view', ...roots, '--port', '0', ...extra], { reject: false, stdin: 'ignore', buffer: false });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = /^(http:\/\/\S+)\n/m.exec(out);
      if (line) resolve(line[1]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    void child.then((r) => reject(new Error(`speedrun view exited (${r.exitCode}) before it printed an address: ${err}`)));
  });
  return { url, process: child };
}

/** Stops a view server started by startView and waits for it to exit. */
export async function stopView(view: { process: ResultPromise }): Promise<void> {
  view.process.kill('SIGTERM');
  await view.process;
}
