#!/usr/bin/env node
// Checks the integrity audit against a track's real record scripts, task by task (record i → i+1):
//   1. the true next record, audited as a node of task i, must not be rejected;
//   2. a comment-only edit of record i must be ok;
//   3. every tampering trick of tests/fixtures/tampering/ast_tampering.py applied to record i must get its verdict.
// usage: npm run build && node scripts/audit-records.mjs [--track nanogpt] [--cache DIR] [--python python3]
// (the upstream tracks need `speedrun records sync --track T` into the same cache first). Exit 1 on any miss.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { listTasks, loadTrack, resolveRecordScript } from '../dist/core/catalog/catalog.js';
import { checkScript } from '../dist/core/measure/integrity.js';
import { cacheLayout, defaultCacheDir } from '../dist/core/paths.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: { track: { type: 'string', default: 'nanogpt' }, cache: { type: 'string' }, python: { type: 'string', default: 'python3' } },
});
const cache = cacheLayout(values.cache ?? defaultCacheDir(process.env));
const manifest = await loadTrack(values.track);
const python = values.python;

const script = async (n) => readFile(await resolveRecordScript(manifest, n, cache), 'utf8');
const commentOnly = (text) =>
  `# edited by an agent\n${text
    .split('\n')
    .flatMap((line) => (/^(def|class) /.test(line) ? ['# a note', '', line] : [line]))
    .join('\n')}`;
const verdictLine = (r) =>
  `${r.verdict}${r.findings.length ? ` (${[...new Set(r.findings.map((f) => `${f.rule}${f.by_record ? '*' : ''}`))].join(', ')})` : ''}`;

let misses = 0;
console.log(`audit of ${manifest.track}'s records (* = flagged as the record's own change)`);
for (const task of listTasks(manifest)) {
  const i = task.record;
  const [base, next] = await Promise.all([script(i), script(i + 1)]);
  const check = (candidate) =>
    checkScript({ script: candidate, baseline: base, reference: next, allowedPaths: manifest.allowed_paths ?? [], timingRule: manifest.timing_rule, python });
  const transition = await check(next);
  const comments = await check(commentOnly(base));
  const { stdout } = await execa(python, [join(root, 'tests/fixtures/tampering/ast_tampering.py')], { input: JSON.stringify({ script: base }) });
  const wrong = [];
  const cases = JSON.parse(stdout).cases;
  for (const c of cases) {
    const report = await check(c.script);
    const tripped = !c.rule || report.findings.some((f) => f.rule === c.rule && f.severity === c.verdict && !f.by_record);
    if (report.verdict !== c.verdict || !tripped) wrong.push(`${c.name}: ${verdictLine(report)}`);
  }
  const ok = transition.verdict !== 'reject' && comments.verdict === 'ok' && wrong.length === 0;
  if (!ok) misses++;
  console.log(
    `task ${String(i).padStart(2)}: next record ${verdictLine(transition)}; comment-only edit ${comments.verdict}; tricks ${cases.length - wrong.length}/${cases.length} as expected`,
  );
  for (const w of wrong) console.log(`    missed: ${w}`);
}
console.log(misses === 0 ? 'every task as expected' : `${misses} task(s) with misses`);
process.exitCode = misses === 0 ? 0 : 1;
