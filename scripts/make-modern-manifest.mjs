#!/usr/bin/env node
// Writes records/nanogpt-modern.json and hints/nanogpt-modern.json: the whole modded-nanogpt track-1 ladder, each
// record's script recovered from the log its README row links. Figures only (dates, times, descriptions, paths,
// sha256 of the logs and of the recovered texts); no upstream text is written into the package.
//
// usage: npm run build && node scripts/make-modern-manifest.mjs FACTS.json MIRROR [--out PACKAGE_ROOT]
//   FACTS.json  the pinned upstream facts file (its modded_nanogpt object: repo, commit, track1_records)
//   MIRROR      a clone (bare or not) of modded-nanogpt that holds the pinned commit
import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { buildLogTrackManifests, TableFacts } = await import(join(root, 'dist/core/catalog/log-track-manifest.js'));
const { imageForLoggedTorch } = await import(join(root, 'dist/core/exec/docker/torch-eras.js'));
const run = promisify(execFile);

function fail(message) {
  process.stderr.write(`make-modern-manifest: ${message}\n`);
  process.exit(2);
}

async function writeJson(path, value) {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, path);
}

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? resolve(args[outIndex + 1] ?? fail('--out needs a folder')) : root;
const [factsPath, mirror] = args.filter((a, i) => a !== '--out' && args[i - 1] !== '--out');
if (!factsPath || !mirror) fail('usage: make-modern-manifest.mjs FACTS.json MIRROR [--out PACKAGE_ROOT]');

const parsed = TableFacts.safeParse(JSON.parse(await readFile(factsPath, 'utf8')).modded_nanogpt);
if (!parsed.success) fail(`${factsPath}: modded_nanogpt: ${parsed.error.message}`);
const facts = parsed.data;

async function readAtCommit(path) {
  try {
    const { stdout } = await run('git', ['-C', mirror, 'cat-file', 'blob', `${facts.commit}:${path}`], { encoding: 'buffer', maxBuffer: 1 << 30 });
    return stdout;
  } catch {
    return undefined;
  }
}

const { manifest, hints } = await buildLogTrackManifests(facts, {
  track: 'nanogpt-modern',
  title: 'NanoGPT speedrun, the whole modded-nanogpt track-1 ladder (scripts recovered from the record logs)',
  license: 'MIT',
  targetValLoss: 3.28,
  referenceHardware: '8xH100',
  timeSource: 'modded-nanogpt README record table (8xH100; from record 21 on, an untimed warm-up before the clock)',
  readFile: readAtCommit,
  eraImage: (torch) => {
    const era = imageForLoggedTorch(torch);
    return era && { image: era.image.name, approximate: era.approximate };
  },
});
await writeJson(join(out, 'records', 'nanogpt-modern.json'), manifest);
await writeJson(join(out, 'hints', 'nanogpt-modern.json'), hints);
process.stdout.write(
  `wrote ${manifest.records.length} records with recovered scripts and ${manifest.unrecoverable.length} unrecoverable (${manifest.unrecoverable.map((u) => u.number).join(', ')})\n`,
);
