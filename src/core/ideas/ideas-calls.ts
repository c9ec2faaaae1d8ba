import { join } from 'node:path';
import type { LlmCallRecord } from '../store/call-record.js';
import { appendCallRecord, readCallRecords } from '../store/calls-file.js';
import { IDEAS_CALLS_FILE } from '../store/layout.js';

/**
 * ideas-calls.jsonl: every call `speedrun ideas` made for a run (purpose `ideas`, then `ideas-retry` after an
 * unusable answer), appended and never rewritten, so `speedrun ideas --replay` can rebuild ideas.json.
 */

export function appendIdeasCall(runDir: string, call: LlmCallRecord): void {
  appendCallRecord(join(runDir, IDEAS_CALLS_FILE), call);
}

export function readIdeasCalls(runDir: string): Promise<LlmCallRecord[]> {
  return readCallRecords(join(runDir, IDEAS_CALLS_FILE), 'the file is damaged; classify the run again with --force');
}
