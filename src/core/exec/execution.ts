import type { TrackManifest } from '../catalog/schema.js';
import type { SlotPool } from './slot-pool.js';
import type { Executor, ExecutorName } from './types.js';

/** Where nodes train: the executor for each record (Docker picks the record's image) and the slots they share. */
export interface Execution {
  name: ExecutorName;
  slots: SlotPool;
  executorFor(manifest: TrackManifest, record: number): Executor;
}
