import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { UserError } from '../errors.js';
import { joinContained, sha256Hex } from './files.js';
import { recoverFromLog } from './log-script.js';
import type { FileRef, TrackManifest } from './schema.js';
import type { SyncFile } from './sync-file.js';

/**
 * Log-recovered tracks: cut each record's script and kernel files out of its log (already fetched and verified
 * into `filesDir`), write them at their manifest paths and check each text's sha256. A record whose log failed
 * verification is skipped (the sync fails on the log itself).
 */
export async function recoverLogFiles(manifest: TrackManifest, fetched: readonly SyncFile[], filesDir: string): Promise<SyncFile[]> {
  const fetchedPaths = new Set(fetched.map((f) => f.path));
  const out: SyncFile[] = [];
  for (const record of manifest.records) {
    if (!record.log) continue;
    const log = fetched.find((f) => f.path === record.log!.path);
    if (log?.status !== 'ok') continue;
    const wanted: { ref: FileRef; what: string; name: string | null }[] = [
      { ref: record.script, what: `record ${record.number} script (from its log)`, name: null },
      ...(record.kernels ?? []).map((ref) => ({ ref, what: `record ${record.number} kernel ${basename(ref.path)} (from its log)`, name: basename(ref.path) })),
    ];
    for (const w of wanted) {
      if (fetchedPaths.has(w.ref.path)) {
        throw new UserError(`${w.what}: path ${w.ref.path} is also an upstream file of the manifest`, 'give recovered files their own folder (recovered/...)');
      }
    }
    const recovery = recoverFromLog(await readFile(joinContained(filesDir, record.log.path, `record ${record.number} log`), 'utf8'));
    for (const w of wanted) {
      const text = !recovery.ok ? undefined : w.name === null ? recovery.script : recovery.kernels.find((k) => k.name === w.name)?.text;
      const file: SyncFile = {
        path: w.ref.path,
        usedBy: [recovery.ok ? w.what : `${w.what}: ${recovery.reason}`],
        status: 'missing',
        expectedSha256: w.ref.sha256,
      };
      out.push(file);
      if (text === undefined) continue;
      const bytes = Buffer.from(text, 'utf8');
      file.actualSha256 = sha256Hex(bytes);
      file.bytes = bytes.length;
      file.status = file.actualSha256 === file.expectedSha256 ? 'ok' : 'mismatch';
      const target = joinContained(filesDir, w.ref.path, w.what);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes);
    }
  }
  return out;
}
