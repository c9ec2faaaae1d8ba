import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchCommand, PARENT_DEATH_LAUNCHER } from '../src/core/exec/launch-command.js';
import { killStaleNodeProcess, LocalExecutor } from '../src/core/exec/local.js';
import { LAUNCH_ID_VAR, nodePidFilePath, readNodePidFile, writeNodePidFile } from '../src/core/exec/node-pid-file.js';
import type { ExecSpec } from '../src/core/exec/types.js';
import { packageRoot } from '../src/core/paths.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

// None of this needs torch: any python3 on PATH does.
const PYTHON = 'python3';
// Whatever a test started or saw is killed at the end, so that a failing test leaves no strays either.
const started: ChildProcess[] = [];
const seenPids: number[] = [];
afterAll(() => {
  for (const child of started) if (child.pid !== undefined) signalQuietly(-child.pid);
  for (const pid of seenPids) signalQuietly(pid);
});

/** Running means not gone and not a zombie (a killed process nobody has reaped yet counts as dead). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function goneWithin(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (pids.some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  return pids.filter(isRunning);
}

function signalQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Starts a process in its own group (as the executor does) and resolves with its first stdout line. */
function startDetached(command: string, args: string[], options: { cwd: string; env?: Record<string, string> }) {
  const child = spawn(command, args, { ...options, env: { ...process.env, ...options.env }, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before printing`)));
  });
  firstLine.catch(() => undefined); // a caller that never waits for a line must not see an unhandled rejection
  return { child, pid: child.pid!, firstLine };
}

/** A train.py printing the pids named by `pidsExpr` (a Python list expression), then sleeping. */
async function sleeperScript(dir: string, pidsExpr = '[os.getpid()]', prelude = ''): Promise<string> {
  const path = join(dir, 'train.py');
  await writeFile(path, `import os, subprocess, sys, time\n${prelude}\nprint("pids", *${pidsExpr}, flush=True)\ntime.sleep(600)\n`);
  return path;
}

function pidsOf(line: string): number[] {
  const pids = line.split(' ').slice(1).map(Number);
  seenPids.push(...pids);
  return pids;
}

describe('a harness killed with SIGKILL', () => {
  // The harness is a separate Node process running the built executor, so that it can be kill -9'd.
  const builtExecutor = join(packageRoot, 'dist', 'core', 'exec', 'local.js');
  let harness = '';

  beforeAll(async () => {
    if (distIsStale()) await execa('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: packageRoot, reject: false });
    if (distIsStale()) throw new Error('dist/ is older than src/core/exec; build with `npx tsc -p tsconfig.json`');
    harness = join(await tempDir('harness'), 'harness.mjs');
    await writeFile(
      harness,
      [
        `import { LocalExecutor } from ${JSON.stringify(pathToFileURL(builtExecutor).href)};`,
        'const [workDir, scriptPath, runner, extraPath] = process.argv.slice(2);',
        'const env = extraPath ? { PYTHONPATH: extraPath } : {};',
        `await new LocalExecutor().run({ runId: 'harness', node: 1, gpus: [], readOnlyDirs: [], workDir, scriptPath, runner, nproc: 2, python: ${JSON.stringify(PYTHON)}, env, timeoutMs: 600_000,`,
        "  onLine: (stream, line) => { if (stream === 'stdout') console.log(line); } });",
      ].join('\n'),
    );
  }, 120_000);

  function distIsStale(): boolean {
    const srcDir = join(packageRoot, 'src', 'core', 'exec');
    const built = (name: string) => join(packageRoot, 'dist', 'core', 'exec', name.replace(/\.ts$/, '.js'));
    return readdirSync(srcDir)
      .filter((name) => name.endsWith('.ts'))
      .some((name) => !existsSync(built(name)) || statSync(built(name)).mtimeMs < statSync(join(srcDir, name)).mtimeMs);
  }

  async function killHarnessOnceRunning(runner: string, script: string, extraPath = '') {
    const { child, firstLine } = startDetached('node', [harness, dirname(script), script, runner, extraPath], { cwd: dirname(script) });
    const pids = pidsOf(await firstLine);
    const record = await readNodePidFile(dirname(script));
    child.kill('SIGKILL');
    return { pids, record };
  }

  it('takes the training script with it', async () => {
    const dir = await tempDir('orphan-python');
    const script = await sleeperScript(dir);
    const { pids, record } = await killHarnessOnceRunning('python', script);
    expect(record?.pid).toBe(pids[0]);
    expect(await goneWithin(pids, 2_000), 'still running after the harness died').toEqual([]);
    // The harness had no chance to remove its pid file; a resume finds nothing left to kill.
    expect(existsSync(nodePidFilePath(dir))).toBe(true);
    expect(await killStaleNodeProcess(dir)).toBe(false);
    expect(existsSync(nodePidFilePath(dir))).toBe(false);
  });

  it("takes torchrun's workers with it, though they run in sessions of their own", async () => {
    // A stand-in for torch.distributed.run that starts workers as torch 2.x does: each in a new session,
    // with no death signal of their own. It is found first on PYTHONPATH.
    const dir = await tempDir('orphan-torchrun');
    const fakeTorch = join(dir, 'fake-torch');
    await mkdir(join(fakeTorch, 'torch', 'distributed'), { recursive: true });
    await writeFile(join(fakeTorch, 'torch', '__init__.py'), '');
    await writeFile(join(fakeTorch, 'torch', 'distributed', '__init__.py'), '');
    await writeFile(
      join(fakeTorch, 'torch', 'distributed', 'run.py'),
      [
        'import os, subprocess, sys',
        'nproc = int(next(a for a in sys.argv if a.startswith("--nproc_per_node=")).split("=")[1])',
        'command = [a for a in sys.argv[1:] if not a.startswith("--")]',
        'workers = [subprocess.Popen([sys.executable, "-u", *command], env={**os.environ, "LOCAL_RANK": str(r)}, start_new_session=True) for r in range(nproc)]',
        'sys.exit(max(w.wait() for w in workers))',
      ].join('\n'),
    );
    // Rank 0 reports both workers' pids (the other writes its own to a file first).
    const script = await sleeperScript(
      dir,
      '[os.getppid(), os.getpid(), int(other)]',
      [
        'rank = os.environ["LOCAL_RANK"]',
        'open(f"rank{rank}.pid", "w").write(str(os.getpid()))',
        'if rank != "0": time.sleep(600)',
        'while not os.path.exists("rank1.pid") or not open("rank1.pid").read(): time.sleep(0.05)',
        'other = open("rank1.pid").read()',
      ].join('\n'),
    );
    const { pids, record } = await killHarnessOnceRunning('torchrun', script, fakeTorch);
    expect(pids).toHaveLength(3);
    expect(record?.pid).toBe(pids[0]); // the "torchrun" is the process the harness started
    expect(await goneWithin(pids, 2_000), 'still running after the harness died').toEqual([]);
  });
});

describe('cleaning up after a harness that died', () => {
  async function pidFileFor(dir: string, pid: number, scriptPath: string, launchId = randomUUID()) {
    await writeNodePidFile(dir, {
      pid,
      pgid: pid,
      harnessPid: 999_999,
      startedAt: new Date().toISOString(),
      command: [PYTHON, scriptPath],
      scriptPath,
      launchId,
    });
  }

  it("kills a launch's processes, found by the id in their environment, even in another session", async () => {
    const dir = await tempDir('stale-marked');
    const script = await sleeperScript(dir, '[os.getpid(), helper.pid]', 'helper = subprocess.Popen(["sleep", "600"], start_new_session=True)');
    const launchId = randomUUID();
    const { pid, firstLine } = startDetached(PYTHON, [script], { cwd: dir, env: { [LAUNCH_ID_VAR]: launchId } });
    const pids = pidsOf(await firstLine);
    await pidFileFor(dir, pid, script, launchId);
    expect(await killStaleNodeProcess(dir)).toBe(true);
    expect(pids.filter(isRunning)).toEqual([]);
    expect(existsSync(nodePidFilePath(dir))).toBe(false);
  });

  it("kills the recorded group when its process runs the node's script, whatever its environment", async () => {
    const dir = await tempDir('stale-group');
    const script = await sleeperScript(dir, '[os.getpid(), helper.pid]', 'helper = subprocess.Popen(["sleep", "600"])');
    const { pid, firstLine } = startDetached(PYTHON, [script], { cwd: dir });
    const pids = pidsOf(await firstLine);
    await pidFileFor(dir, pid, script);
    expect(await killStaleNodeProcess(dir)).toBe(true);
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it('leaves a foreign process alone and only removes the stale file', async () => {
    const dir = await tempDir('stale-foreign');
    const { pid } = startDetached('sleep', ['600'], { cwd: dir });
    await pidFileFor(dir, pid, join(dir, 'train.py'));
    expect(await killStaleNodeProcess(dir)).toBe(false);
    expect(isRunning(pid)).toBe(true);
    expect(existsSync(nodePidFilePath(dir))).toBe(false);
    signalQuietly(pid);
  });

  it('cleans up a file naming a dead process, an unreadable file, and no file at all', async () => {
    const dir = await tempDir('stale-dead');
    const dead = spawnSync('true');
    await pidFileFor(dir, dead.pid, join(dir, 'train.py'));
    expect(await killStaleNodeProcess(dir)).toBe(false);
    expect(existsSync(nodePidFilePath(dir))).toBe(false);
    await writeFile(nodePidFilePath(dir), '{"pid": ');
    expect(await killStaleNodeProcess(dir)).toBe(false);
    expect(existsSync(nodePidFilePath(dir))).toBe(false);
    expect(await killStaleNodeProcess(dir)).toBe(false);
  });
});

describe('the parent-death launcher', () => {
  it('leaves the script its own argv[0], __file__ and sys.path, and records it in the pid file while it runs', async () => {
    const dir = await tempDir('launcher-identity');
    const script = join(dir, 'train.py');
    await writeFile(
      script,
      [
        'import ctypes, json, os, sys',
        'death_signal = ctypes.c_int()',
        'ctypes.CDLL(None).prctl(2, ctypes.byref(death_signal))  # PR_GET_PDEATHSIG',
        'print(json.dumps({"argv": sys.argv, "file": __file__, "path0": sys.path[0], "ppid": os.getppid(), "deathSignal": death_signal.value, "pidFile": json.load(open("pid")), "pid": os.getpid()}))',
      ].join('\n'),
    );
    let seen: Record<string, unknown> = {};
    const result = await new LocalExecutor().run({
      runId: 'test',
      node: 1,
      gpus: [],
      readOnlyDirs: [],
      workDir: dir,
      scriptPath: script,
      runner: 'python',
      nproc: 1,
      python: PYTHON,
      env: {},
      timeoutMs: 30_000,
      onLine: (stream, line) => {
        if (stream === 'stdout') seen = JSON.parse(line) as Record<string, unknown>;
      },
    });
    expect(result.exitCode, result.stderrTail).toBe(0);
    expect(seen).toMatchObject({ argv: [script], file: script, path0: dir, ppid: process.pid, deathSignal: 9 });
    expect(seen.pidFile).toMatchObject({ pid: seen.pid, pgid: seen.pid, harnessPid: process.pid, scriptPath: script });
    expect(existsSync(nodePidFilePath(dir)), 'pid file left after a normal end').toBe(false);
  });

  it('does not start the command when its parent is already gone', async () => {
    const dir = await tempDir('launcher-orphaned');
    const script = join(dir, 'train.py');
    await writeFile(script, 'open("ran", "w").write("yes")\n');
    // A parent pid that is not ours stands for a parent that died before the death signal was set.
    const run = await execa(PYTHON, [PARENT_DEATH_LAUNCHER, script], { cwd: dir, reject: false, env: { SPEEDRUN_PARENT_PID: '1' } });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/parent process 1 is gone/);
    expect(await readdir(dir)).not.toContain('ran');
  });

  it('wraps torchrun and each of its workers on Linux, and nothing elsewhere', () => {
    const spec = { scriptPath: '/w/train.py', runner: 'torchrun', nproc: 8, python: 'py' } as ExecSpec;
    expect(launchCommand(spec, 'linux')).toEqual([
      'py',
      [PARENT_DEATH_LAUNCHER, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=8', PARENT_DEATH_LAUNCHER, '/w/train.py'],
    ]);
    expect(launchCommand(spec, 'darwin')).toEqual(['py', ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=8', '/w/train.py']]);
    expect(launchCommand({ ...spec, runner: 'python' }, 'darwin')).toEqual(['py', ['/w/train.py']]);
  });
});
