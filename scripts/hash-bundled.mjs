#!/usr/bin/env node
// Recompute sha256 and byte counts of every file that a bundled manifest references, and rewrite the
// manifests in place (2-space JSON, trailing newline). Run after editing any bundled record or hint file.
//
//   node scripts/hash-bundled.mjs [manifest.json ...]     (default: records/tiny.json hints/tiny.json)
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifests = process.argv.length > 2 ? process.argv.slice(2) : ['records/tiny.json', 'hints/tiny.json'];

function refresh(ref, manifestPath) {
  let bytes;
  try {
    bytes = readFileSync(join(root, ref.path));
  } catch (error) {
    throw new Error(`${manifestPath}: cannot read ${ref.path}: ${error.message}`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const changed = ref.sha256 !== sha256 || ref.bytes !== bytes.length;
  ref.sha256 = sha256;
  ref.bytes = bytes.length;
  return changed;
}

let failed = false;
for (const manifestPath of manifests) {
  try {
    const file = join(root, manifestPath);
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    if (manifest.source?.kind !== 'bundled') throw new Error(`${manifestPath}: not a bundled track (source.kind is not "bundled")`);
    const refs = [...(manifest.records ?? []).map((r) => r.script), ...(manifest.hints ?? [])];
    let changed = 0;
    for (const ref of refs) if (refresh(ref, manifestPath)) changed++;
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(tmp, file);
    process.stderr.write(`${manifestPath}: ${refs.length} files, ${changed} updated\n`);
  } catch (error) {
    failed = true;
    process.stderr.write(`error: ${error.message}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
