import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExternalError } from '../src/core/errors.js';
import { RunHistory, commitMessage } from '../src/core/store/run-history.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

const run = promisify(execFile);

/** git as a user would type it in the run folder (with this file's empty HOME). */
async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd: dir, env: process.env });
  return stdout;
}

const savedEnv = { ...process.env };
let home: string;

beforeAll(async () => {
  // No global identity, plus hostile variables that a careless implementation would pick up.
  home = await tempDir('history-home');
  process.env.HOME = home;
  process.env.XDG_CONFIG_HOME = join(home, '.config');
  process.env.GIT_AUTHOR_NAME = 'Intruder';
  process.env.GIT_COMMITTER_EMAIL = 'intruder@example.com';
});

afterAll(async () => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  await removeTempDirs();
});

const base = ['import torch', 'lr = 0.01', 'steps = 100', 'model = build()', 'train(model)', ''].join('\n');
const scripts = {
  0: base,
  1: base.replace('lr = 0.01', 'lr = 0.02'),
  2: base.replace('steps = 100', 'steps = 80'),
  3: base.replace('lr = 0.01', 'lr = 0.03').replace('train(model)', 'train(model, warmup=10)'),
  4: base.replace('lr = 0.01', 'lr = 0.03').replace('train(model)', 'train(model, warmup=20)') + '# Ünïcode, no final newline',
  5: base.replace('steps = 100', 'steps = 80').replace('train(model)', 'train(model, warmup=20)'),
};
const tree: { node: keyof typeof scripts; parent: number | null; secondParent?: number; operator: 'baseline' | 'improve' | 'debug' | 'crossover' }[] = [
  { node: 0, parent: null, operator: 'baseline' },
  { node: 1, parent: 0, operator: 'improve' },
  { node: 2, parent: 0, operator: 'improve' },
  { node: 3, parent: 1, operator: 'improve' },
  { node: 4, parent: 3, operator: 'debug' },
  { node: 5, parent: 2, secondParent: 4, operator: 'crossover' },
];

async function buildTree(history: RunHistory): Promise<Record<number, string>> {
  const shas: Record<number, string> = {};
  for (const n of tree) {
    const at = new Date(Date.UTC(2025, 0, 1, 0, n.node));
    shas[n.node] = await history.commitNode({ ...n, script: scripts[n.node], message: `note for ${n.node}`, at });
  }
  return shas;
}

async function parentsOf(dir: string, ref: string): Promise<string[]> {
  return (await git(dir, 'rev-list', '--parents', '-n', '1', ref)).trim().split(' ').slice(1);
}

let runDir: string;
beforeEach(async () => {
  runDir = await tempDir('history-run');
});

describe('RunHistory', () => {
  it('records the search tree: one commit per node on its parents, a merge commit for a crossover', async () => {
    const shas = await buildTree(await RunHistory.open(runDir));
    expect(await parentsOf(runDir, 'node-0')).toEqual([]);
    expect(await parentsOf(runDir, 'node-1')).toEqual([shas[0]]);
    expect(await parentsOf(runDir, 'node-2')).toEqual([shas[0]]);
    expect(await parentsOf(runDir, 'node-3')).toEqual([shas[1]]);
    expect(await parentsOf(runDir, 'node-4')).toEqual([shas[3]]);
    expect(await parentsOf(runDir, 'node-5')).toEqual([shas[2], shas[4]]);
    for (const n of tree) expect((await git(runDir, 'rev-parse', `node-${n.node}`)).trim()).toBe(shas[n.node]);

    const graph = await git(runDir, 'log', '--graph', '--all', '--format=%s');
    const subjects = graph
      .split('\n')
      .map((l) => l.replace(/^[*|/\\ ]+/, ''))
      .filter(Boolean);
    expect(subjects).toEqual([
      'node 5: crossover of nodes 2 and 4',
      'node 4: debug of node 3',
      'node 3: improve of node 1',
      'node 1: improve of node 0',
      'node 2: improve of node 0',
      'node 0: baseline',
    ]);
    expect(graph).toMatch(/^\|\\/m); // the merge opens a second line of history
    expect(await git(runDir, 'log', '-1', '--format=%B', 'node-3')).toBe('node 3: improve of node 1\n\nnote for 3\n\n');
  });

  it('stores exact scripts, so diffs between any two nodes show just the changed lines', async () => {
    await buildTree(await RunHistory.open(runDir));
    expect(await git(runDir, 'show', 'node-4:train_gpt.py')).toBe(scripts[4]);
    expect(await git(runDir, 'ls-tree', '--name-only', 'node-4')).toBe('train_gpt.py\n');
    const diff = await git(runDir, 'diff', 'node-1', 'node-3', '--', 'train_gpt.py');
    const changed = diff.split('\n').filter((l) => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l));
    expect(changed).toEqual(['-lr = 0.02', '+lr = 0.03', '-train(model)', '+train(model, warmup=10)']);
  });

  it('keeps git status quiet although the run folder holds other files', async () => {
    const history = await RunHistory.open(runDir);
    await writeFile(join(runDir, 'run.json'), '{}\n');
    await writeFile(join(runDir, 'journal.jsonl'), '{}\n');
    await mkdir(join(runDir, 'nodes', '3'), { recursive: true });
    await writeFile(join(runDir, 'nodes', '3', 'train_gpt.py'), scripts[3]);
    await buildTree(history);
    expect(await git(runDir, 'status', '--porcelain')).toBe('');
    // Nothing was checked out or staged: the run folder holds exactly what we put there.
    expect((await readdir(runDir)).sort()).toEqual(['.git', 'journal.jsonl', 'nodes', 'run.json']);
    expect(await readdir(join(runDir, '.git'))).not.toContain('index');
  });

  it('lands every one of several concurrent commits, children queued after their parents', async () => {
    const history = await RunHistory.open(runDir);
    const root = await history.commitNode({ node: 0, parent: null, script: base, message: '' });
    const children = [1, 2, 3, 4, 5].map((node) => history.commitNode({ node, parent: 0, script: `${base}# variant ${node}\n`, message: `v${node}` }));
    const grandchild = history.commitNode({ node: 6, parent: 5, script: `${base}# child of 5\n`, message: '' });
    const shas = await Promise.all([...children, grandchild]);
    expect(new Set(shas).size).toBe(6);
    for (const node of [1, 2, 3, 4, 5]) {
      expect(await parentsOf(runDir, `node-${node}`)).toEqual([root]);
      expect(await git(runDir, 'show', `node-${node}:train_gpt.py`)).toBe(`${base}# variant ${node}\n`);
    }
    expect(await parentsOf(runDir, 'node-6')).toEqual([shas[4]]);
    expect((await git(runDir, 'branch', '--list')).trim().split('\n')).toHaveLength(7);
  });

  it('after a reopen, returns the same commit for the same script and moves the branch for a different one', async () => {
    const first = await buildTree(await RunHistory.open(runDir));
    const reopened = await RunHistory.open(runDir);
    const again = await reopened.commitNode({ node: 3, parent: 1, operator: 'improve', script: scripts[3], message: 'another note', at: new Date() });
    expect(again).toBe(first[3]);

    const moved = await reopened.commitNode({ node: 3, parent: 1, operator: 'improve', script: `${scripts[3]}# retried\n`, message: 'retry' });
    expect(moved).not.toBe(first[3]);
    expect((await git(runDir, 'rev-parse', 'node-3')).trim()).toBe(moved);
    expect(await parentsOf(runDir, 'node-3')).toEqual([first[1]]);
    expect(await git(runDir, 'show', 'node-3:train_gpt.py')).toBe(`${scripts[3]}# retried\n`);
    // The old commit is still in the branch's reflog, and node 4 still hangs off it.
    expect(await git(runDir, 'reflog', '--format=%H', 'node-3')).toContain(first[3]);
    expect(await parentsOf(runDir, 'node-4')).toEqual([first[3]]);
  });

  it('shows recorded outcomes as notes in git log, a later outcome replacing an earlier one', async () => {
    const history = await RunHistory.open(runDir);
    await buildTree(history);
    await history.recordOutcome(4, 'crashed: CUDA out of memory');
    await history.recordOutcome(4, 'ok: reached 3.28 in 182.4 s');
    await history.recordOutcome(5, 'missed-target: 3.31 after 200 s');
    const log = await git(runDir, 'log', '--notes', '--all');
    expect(log).toContain('ok: reached 3.28 in 182.4 s');
    expect(log).toContain('missed-target: 3.31 after 200 s');
    expect(log).not.toContain('CUDA out of memory');
    expect(await git(runDir, 'notes', 'show', 'node-4')).toBe('ok: reached 3.28 in 182.4 s\n');
    await expect(history.recordOutcome(9, 'no such node')).rejects.toThrow(/no commit for node 9/);
    // A reopened history keeps the notes it finds and adds to them, as git notes would.
    await (await RunHistory.open(runDir)).recordOutcome(1, 'ok: reached 3.28 in 190.0 s');
    expect(await git(runDir, 'notes', 'show', 'node-5')).toBe('missed-target: 3.31 after 200 s\n');
    expect(await git(runDir, 'notes', 'show', 'node-1')).toBe('ok: reached 3.28 in 190.0 s\n');
    await git(runDir, 'fsck', '--strict', '--no-dangling');
  });

  it('ignores the user’s git config and identity: fixed author, dates and unsigned commits', async () => {
    await mkdir(join(home, '.config', 'git'), { recursive: true });
    await writeFile(
      join(home, '.gitconfig'),
      '[user]\n\tname = Someone Else\n[commit]\n\tgpgsign = true\n[gpg]\n\tprogram = false\n[core]\n\tautocrlf = true\n',
    );
    await writeFile(join(home, '.config', 'git', 'attributes'), '*.py text eol=crlf\n');
    try {
      const history = await RunHistory.open(runDir);
      const at = new Date('2025-03-04T05:06:07Z');
      await history.commitNode({ node: 0, parent: null, script: base, message: 'x', at });
      const who = await git(runDir, 'log', '-1', '--format=%an <%ae>|%cn <%ce>|%at|%ct', 'node-0');
      const secs = String(at.getTime() / 1000);
      expect(who.trim()).toBe(`speedrun <speedrun@localhost>|speedrun <speedrun@localhost>|${secs}|${secs}`);
      expect(await git(runDir, 'cat-file', 'blob', 'node-0:train_gpt.py')).toBe(base);
      // Same inputs, same commit: nothing machine-specific goes into it.
      const elsewhere = await RunHistory.open(await tempDir('history-run'));
      expect(await elsewhere.commitNode({ node: 0, parent: null, script: base, message: 'x', at })).toBe((await git(runDir, 'rev-parse', 'node-0')).trim());
    } finally {
      await writeFile(join(home, '.gitconfig'), '');
      await writeFile(join(home, '.config', 'git', 'attributes'), '');
    }
  });

  it('keeps its own repository when the run folder sits inside another one', async () => {
    const outer = await tempDir('history-outer');
    await git(outer, 'init', '--quiet');
    const inner = join(outer, 'results', 'run-1');
    const history = await RunHistory.open(inner);
    await history.commitNode({ node: 0, parent: null, script: base, message: '' });
    expect((await git(inner, 'rev-parse', '--git-dir')).trim()).toBe('.git');
    await expect(git(outer, 'rev-parse', '--verify', '--quiet', 'node-0')).rejects.toThrow();
  });

  it('refuses a node whose parent has no commit, and keeps working afterwards', async () => {
    const history = await RunHistory.open(runDir);
    await history.commitNode({ node: 0, parent: null, script: base, message: '' });
    await expect(history.commitNode({ node: 2, parent: 1, script: base, message: '' })).rejects.toThrow(/no commit for node 1/);
    await expect(history.commitNode({ node: 1, parent: 0, script: `${base}#\n`, message: '' })).resolves.toMatch(/^[0-9a-f]{40}$/);
    expect(await git(runDir, 'branch', '--list', 'node-2')).toBe('');
  });

  it('reopens after a crash that left a ref lock and temp files behind', async () => {
    const history = await RunHistory.open(runDir);
    await buildTree(history);
    await writeFile(join(runDir, '.git', 'refs', 'heads', 'node-3.lock'), '');
    await mkdir(join(runDir, '.git', 'speedrun-tmp'), { recursive: true });
    await writeFile(join(runDir, '.git', 'speedrun-tmp', '123-abcd.script'), 'half');
    await mkdir(join(runDir, '.git', 'objects', 'ab'), { recursive: true });
    await writeFile(join(runDir, '.git', 'objects', 'ab', 'cdef.123.0a0b0c0d.tmp'), 'half');
    // A pack renamed into place whose index the crash kept from being written.
    const packs = join(runDir, '.git', 'objects', 'pack');
    const before = await readdir(packs);
    await writeFile(join(packs, `pack-${'e'.repeat(40)}.pack`), 'PACK');
    const reopened = await RunHistory.open(runDir);
    const moved = await reopened.commitNode({ node: 3, parent: 1, script: 'changed\n', message: '' });
    expect((await git(runDir, 'rev-parse', 'node-3')).trim()).toBe(moved);
    await expect(readdir(join(runDir, '.git', 'speedrun-tmp'))).rejects.toThrow(/ENOENT/);
    expect(await readdir(join(runDir, '.git', 'objects', 'ab'))).toEqual([]);
    expect((await readdir(packs)).filter((f) => !before.includes(f)).every((f) => !f.startsWith(`pack-${'e'.repeat(40)}`))).toBe(true);
    // Everything written in-process is what git itself would have written.
    await git(runDir, 'fsck', '--strict', '--no-dangling');
  });

  it('says how to fix a missing git', async () => {
    const path = process.env.PATH;
    process.env.PATH = await tempDir('history-empty-path');
    try {
      const error = await RunHistory.open(runDir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExternalError);
      expect((error as ExternalError).system).toBe('git');
      expect((error as ExternalError).fix).toMatch(/install git/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('writes first lines that name the step', () => {
    expect(commitMessage({ node: 0, parent: null, message: '' })).toBe('node 0: root');
    expect(commitMessage({ node: 3, parent: 1, operator: 'improve', message: '  halve the lr \n' })).toBe('node 3: improve of node 1\n\nhalve the lr');
    expect(commitMessage({ node: 5, parent: 2, secondParent: 4, message: 'mix' })).toBe('node 5: crossover of nodes 2 and 4\n\nmix');
  });
});
