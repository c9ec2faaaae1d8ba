import { join } from 'node:path';
import type { LlmCallRecord } from './call-record.js';
import { appendCallRecord, readCallRecords } from './calls-file.js';
import { JUDGE_CALLS_FILE } from './layout.js';

/**
 * judge-calls.jsonl: every call `speedrun judge` made for a run, one LlmCallRecord per line, appended (never
 * rewritten), so every verdict ever asked for stays on disk and `speedrun judge --replay` can rebuild judge.json.
 */

export function appendJudgeCall(runDir: string, call: LlmCallRecord): void {
  appendCallRecord(join(runDir, JUDGE_CALLS_FILE), call);
}

/** Every recorded judge call of a run, in order; [] when none was made. A line that does not parse is refused. */
export function readJudgeCalls(runDir: string): Promise<LlmCallRecord[]> {
  return readCallRecords(join(runDir, JUDGE_CALLS_FILE), 'the file is damaged; judge the run again with --force');
}
