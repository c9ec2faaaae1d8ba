import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import { startTmux, type TmuxSession } from './helpers/tmux.js';

afterAll(removeTempDirs);

let session: TmuxSession | undefined;
afterEach(async () => {
  await session?.kill();
  session = undefined;
});

// The real binary in a real terminal (tmux), driven by keys as a person would.
describe('the terminal UI', () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = { SPEEDRUN_CACHE: await tempDir('tui-cache') };
    // Data prepared beforehand, so the screens below show training rather than data preparation.
    const prepared = await speedrun(['data', 'prepare', '--track', 'tiny'], env);
    expect(prepared.exitCode, prepared.stderr).toBe(0);
  });

  // Bare `speedrun` with the last choices remembered (record 5) scores the track's default way (a scoring round of
  // 3 repeats); `tui` with flags pre-fills the record and asks for a one-repeat round of record i and the node.
  it.each([
    [120, 36, '5', ''],
    [80, 24, '4', ' tui --record 4 --retime baseline --retime-repeats 1'],
  ])(
    'at %i×%i columns: sets up tiny record %s with the reference agent, runs it, and shows the tree and the FSR',
    { timeout: 600_000 },
    async (columns, rows, record, command) => {
      const out = await tempDir('tui-out');
      if (command === '') await writeFile(join(env.SPEEDRUN_CACHE!, 'tui-choices.json'), JSON.stringify({ track: 'tiny', record: Number(record) }));
      session = await startTmux(`node ${BIN}${command}`, { columns, rows, env, cwd: out });
      // The setup screen: the tiny track, the record, the reference agent are the defaults (or the flag's record).
      const setup = await session.waitFor(/enter start/, 30_000);
      expect(setup).toMatch(/track\s+.*tiny/);
      expect(setup).toMatch(new RegExp(`record\\s+#${record}\\b`));
      expect(setup).toMatch(/agent\s+reference/);
      await session.keys('Enter');
      const done = await session.waitFor(/run finished · FSR \d+\.\d{3}/, 540_000);
      // The tree: the baseline and the reference's node, which reached the target and is the best.
      expect(done).toMatch(/#0 baseline ok/);
      expect(done).toMatch(/★\s+#1 draft ok \d+\.\d s/);
      // The screen's FSR is the harness's: the one in the run's run.json.
      const shown = /run finished · FSR (\d+\.\d{3})/.exec(done)![1];
      const [bench] = (await readdir(join(out, 'results'))).filter((d) => d.startsWith('tui-'));
      const [run] = (await readdir(join(out, 'results', bench!))).filter((d) => !d.endsWith('.json'));
      const summary = JSON.parse(await readFile(join(out, 'results', bench!, run!, 'run.json'), 'utf8')).result;
      expect(shown).toBe(summary.fsr.toFixed(3));
      expect(summary.fsr).toBeGreaterThan(0);
      for (const line of done.split('\n')) expect(line.length, line).toBeLessThanOrEqual(columns);
    },
  );

  it('q mid-run stops and leaves a run that speedrun bench --resume completes', { timeout: 420_000 }, async () => {
    const out = await tempDir('tui-quit');
    // Record 4 trains in the run as node 0 first, so nodes compare like with like on a busy machine.
    session = await startTmux(`node ${BIN} tui --record 4 --nodes 1 --retime baseline --retime-repeats 1 --start`, { columns: 100, rows: 30, env, cwd: out });
    await session.waitFor(/#1 draft training \d+\/\d+/, 240_000);
    await session.keys('q');
    const stopped = await session.waitFor(/resume with speedrun bench --resume/, 30_000);
    const [bench] = (await readdir(join(out, 'results'))).filter((d) => d.startsWith('tui-'));
    expect(stopped.replace(/\s+/g, '')).toContain(bench!);

    const resumed = await speedrun(['bench', '--resume', join(out, 'results', bench!), '--json'], env);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const last = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ type: 'bench-finished', runs: [{ status: 'finished', record: 4, agent: 'reference', best: { node: 1 } }] });
  });
});

describe('the human agent', () => {
  it('e opens $EDITOR on the selected node; the saved script comes back as a node of the tree and is measured', { timeout: 300_000 }, async () => {
    const dir = await tempDir('tui-human');
    const editor = join(dir, 'editor.sh');
    // A stand-in for a person at an editor: adds a line to the file it is given and saves it (a statement: an added
    // comment alone would be the same script, a duplicate that is not trained again).
    await writeFile(editor, '#!/bin/sh\necho "tuned_by_hand = True  # tuned by hand" >> "$1"\n');
    await chmod(editor, 0o755);
    const env = { SPEEDRUN_CACHE: await tempDir('tui-human-cache'), EDITOR: editor };
    session = await startTmux(`node ${BIN} tui --record 4 --nodes 1 --retime none --start`, { columns: 100, rows: 30, env, cwd: dir });
    await session.waitFor(/#1 draft training/, 120_000);
    await session.keys('Up', 'e');
    const done = await session.waitFor(/run finished · FSR/, 240_000);
    expect(done).toMatch(/#2 human ok \d+\.\d s/);
    const [bench] = (await readdir(join(dir, 'results'))).filter((d) => d.startsWith('tui-'));
    const [run] = (await readdir(join(dir, 'results', bench!))).filter((d) => !d.endsWith('.json'));
    const meta = JSON.parse(await readFile(join(dir, 'results', bench!, run!, 'nodes', '2', 'node.json'), 'utf8'));
    expect(meta).toMatchObject({ by: 'human', parent: 0, operator: 'improve' });
    expect(await readFile(join(dir, 'results', bench!, run!, 'nodes', '2', 'train_gpt.py'), 'utf8')).toMatch(/# tuned by hand\n$/);
    const result = JSON.parse(await readFile(join(dir, 'results', bench!, run!, 'nodes', '2', 'result.json'), 'utf8'));
    expect(result).toMatchObject({ status: 'ok', measured_by: 'executed' });
  });
});

describe('speedrun without a terminal', () => {
  it('does not crash with stdin from /dev/null or stdout into a pipe, and says what to use instead', async () => {
    for (const stdin of ['ignore', 'pipe'] as const) {
      const result = await execa('node', [BIN], { stdin, reject: false, timeout: 30_000 });
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toMatch(/needs a terminal/);
      expect(result.stderr).toMatch(/speedrun run/);
    }
    const piped = await execa('sh', ['-c', `node ${BIN} < /dev/null | cat`], { reject: false, timeout: 30_000 });
    expect(piped.exitCode).toBe(0);
    expect(piped.stderr).toMatch(/needs a terminal/);
  });
});
