import { join } from 'node:path';
import { loadTrack } from '../../src/core/catalog/catalog.js';
import { LocalExecutor } from '../../src/core/exec/local.js';
import type { PythonWithTorch } from '../../src/core/exec/python.js';
import { SlotPool } from '../../src/core/exec/slot-pool.js';
import { cacheLayout } from '../../src/core/paths.js';
import type { RunSearchInput } from '../../src/core/search/run-engine.js';
import { tempDir } from './temp.js';

/**
 * The interpreter fake training scripts run with: they print upstream-format lines and never import torch, so any
 * python3 does, and these searches stay unit tests (no PyTorch needed). A test that trains a real record passes its own.
 */
const FAKE_TRAINING_PYTHON: PythonWithTorch = { python: 'python3', torchVersion: 'not needed by fake training scripts' };

/**
 * A search on tiny record 1 scored against the record table, with a fresh run folder and cache, one slot, the
 * local executor and no data environment (tests train fake scripts or crash before reading data), and no re-timing
 * (node 0 keeps the record table's time). The integrity audit is off, since fake scripts are not edits of the
 * record; tests of the audit turn it on.
 */
export async function tinySearch(overrides: Pick<RunSearchInput, 'agent' | 'scaffold'> & Partial<RunSearchInput>): Promise<RunSearchInput> {
  return {
    runId: 'test-run',
    runDir: join(await tempDir('search'), 'run'),
    manifest: await loadTrack('tiny'),
    record: 1,
    hintSpec: 'none',
    hintText: '',
    model: null,
    budget: {},
    seed: 1,
    executor: new LocalExecutor(),
    slots: new SlotPool(1),
    python: FAKE_TRAINING_PYTHON,
    hardware: 'test machine',
    cache: cacheLayout(await tempDir('search-cache')),
    trackData: { env: {}, dirs: [] },
    times: { baselineMs: 36_000, targetMs: 21_900, from: 'record-table', measuredAt: null, detail: 'record table: test' },
    checkScript: null,
    // Fake scripts report made-up times: scoring rounds are tested on their own (scoring-round tests).
    retime: { mode: 'none', repeats: 1 },
    ...overrides,
  };
}
