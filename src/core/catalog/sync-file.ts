/** One file a sync fetched or recovered, and how its sha256 compared with the manifest's. */
export interface SyncFile {
  path: string;
  /** What references it: `record 3 script`, `record 3 hint L1`, ... */
  usedBy: string[];
  status: 'ok' | 'missing' | 'mismatch';
  expectedSha256: string;
  actualSha256?: string;
  bytes?: number;
}
