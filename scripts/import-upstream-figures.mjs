#!/usr/bin/env node
// Writes records/nanogpt.json and hints/nanogpt.json from the pinned upstream facts file.
// Figures only: paths, sha256, sizes, times, dates and descriptions. No upstream code or hint text.
//
// usage: node scripts/import-upstream-figures.mjs ../shared/upstream/nanogpt-speedrun.json [--out DIR]
import { readFile, writeFile, mkdir, rename } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TARGET_VAL_LOSS = 3.28;
const FIRST_RECORD = 1;
const LAST_RECORD = 21;
/** The paper drops this task (record 6 → 7 is a pure PyTorch upgrade with an empty diff). */
const EXCLUDED = new Map([[6, 'record 7 is a pure PyTorch upgrade (empty diff); the paper drops this task']]);
const HINT_KINDS = new Map([
  [0, 'diff'],
  [1, 'pseudo'],
  [2, 'description'],
  [3, 'paper'],
  [9, 'extra'], // upstream names the topic (muon, flexattn); the path keeps it
]);

function fail(message) {
  process.stderr.write(`import-upstream-figures: ${message}\n`);
  process.exit(2);
}

/** modded-nanogpt's README dates are MM/DD/YY. */
function isoDate(readmeDate, where) {
  const m = /^(\d{2})\/(\d{2})\/(\d{2})$/.exec(readmeDate ?? '');
  if (!m) fail(`${where}: date ${JSON.stringify(readmeDate)} is not MM/DD/YY`);
  return `20${m[3]}-${m[1]}-${m[2]}`;
}

function need(value, where) {
  if (value === undefined || value === null) fail(`${where} is missing`);
  return value;
}

async function writeJson(path, value) {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, path);
}

async function main() {
  const args = process.argv.slice(2);
  const factsPath = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--out');
  if (!factsPath) fail('usage: import-upstream-figures.mjs FACTS.json [--out PACKAGE_ROOT]');
  const outIndex = args.indexOf('--out');
  const root = outIndex >= 0 ? resolve(need(args[outIndex + 1], '--out value')) : resolve(dirname(fileURLToPath(import.meta.url)), '..');

  const facts = JSON.parse(await readFile(factsPath, 'utf8'));
  const runner = need(facts.llm_speedrunner, 'llm_speedrunner');
  const readme = need(facts.modded_nanogpt?.track1_records, 'modded_nanogpt.track1_records');

  const source = {
    kind: 'upstream',
    repo: need(runner.repo, 'llm_speedrunner.repo'),
    commit: need(runner.commit, 'llm_speedrunner.commit'),
    license: need(runner.license, 'llm_speedrunner.license'),
  };

  const records = [];
  const hints = [];
  for (let n = FIRST_RECORD; n <= LAST_RECORD; n++) {
    const ours = runner.records.find((r) => r.record === n);
    if (!ours) fail(`llm_speedrunner.records has no record ${n}`);
    // modded-nanogpt lists record 21 three times (re-timings); the first is the original record.
    const theirs = readme.find((r) => r.number === n);
    if (!theirs) fail(`modded_nanogpt.track1_records has no record ${n}`);
    const where = `record ${n}`;
    const entry = {
      number: n,
      description: need(theirs.description, `${where} description`),
      date: isoDate(theirs.date, where),
      time_ms: need(ours.measured?.train_time_ms, `${where} measured.train_time_ms`),
      time_source: "llm-speedrunner authors' re-measurement on 8xH100 (train_time of the final validation line)",
      readme_time_ms: need(theirs.readme_time_ms, `${where} readme_time_ms`),
      time_sd_ms: need(ours.measured?.train_time_sd_ms, `${where} measured.train_time_sd_ms`),
      script: {
        path: need(ours.script?.path, `${where} script.path`),
        sha256: need(ours.script?.sha256, `${where} script.sha256`),
        bytes: need(ours.script?.bytes, `${where} script.bytes`),
      },
    };
    const excluded = EXCLUDED.get(n);
    if (excluded) entry.task_excluded = excluded;
    records.push(entry);

    for (const hint of ours.hints ?? []) {
      const kind = HINT_KINDS.get(hint.level);
      if (!kind) fail(`${where}: unknown hint level ${hint.level}`);
      hints.push({
        record: n,
        level: hint.level,
        kind,
        path: need(hint.path, `${where} hint path`),
        sha256: need(hint.sha256, `${where} hint sha256`),
        bytes: need(hint.bytes, `${where} hint bytes`),
      });
    }
  }

  const recordsManifest = {
    track: 'nanogpt',
    title: 'NanoGPT speedrun (GPT-2 124M on FineWeb, llm-speedrunner copies of records 1–21)',
    target_val_loss: TARGET_VAL_LOSS,
    reference_hardware: '8xH100',
    source,
    launch: { runner: 'torchrun', nproc: 8, timeout_s: 3600 },
    records,
  };
  const hintsManifest = { track: 'nanogpt', source, hints };

  await writeJson(join(root, 'records', 'nanogpt.json'), recordsManifest);
  await writeJson(join(root, 'hints', 'nanogpt.json'), hintsManifest);
  process.stderr.write(`wrote ${records.length} records and ${hints.length} hints under ${root}\n`);
}

await main();
