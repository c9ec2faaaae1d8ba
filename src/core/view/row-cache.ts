import { statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILE, VERIFICATION_FILE } from '../store/layout.js';
import type { CatalogRun } from './view-catalog.js';
import { runRow, type RunRow } from './view-data.js';

/**
 * The index rows of runs whose run.json and verification.json are unchanged since they were read (same inode, size and
 * modification time; the store writes both by rename, so a rewrite gets a new inode). The server keeps one for its
 * life, so reloading the index of thousands of runs costs two stats per run instead of reading and parsing them.
 */
export class RowCache {
  private readonly rows = new Map<string, { signature: string; row: RunRow }>();

  async row(run: CatalogRun): Promise<RunRow> {
    const signature = [run.bench, run.id, ...[RUN_FILE, VERIFICATION_FILE].map((f) => stamp(statSync(join(run.dir, f), { throwIfNoEntry: false })))].join('|');
    const kept = this.rows.get(run.dir);
    if (kept?.signature === signature) return kept.row;
    const row = await runRow(run);
    this.rows.set(run.dir, { signature, row });
    return row;
  }
}

function stamp(stats: Stats | undefined): string {
  return stats ? `${stats.ino}:${stats.size}:${stats.mtimeMs}` : '-';
}
