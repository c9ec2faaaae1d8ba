import { appendInFolder } from '../fs-atomic.js';
import { LlmCallRecord } from './call-record.js';
import { readJsonLines } from './json-lines.js';

/**
 * A run's jsonl file of the calls one command made for it (judge-calls.jsonl, ideas-calls.jsonl): one LlmCallRecord
 * per line, appended and never rewritten, so every answer ever asked for stays on disk and can be replayed.
 */

export function appendCallRecord(file: string, call: LlmCallRecord): void {
  appendInFolder(file, `${JSON.stringify(LlmCallRecord.parse(call))}\n`);
}

/** Every recorded call of the file, in order; [] when there is none. A line that does not parse is refused, with `fix`. */
export async function readCallRecords(file: string, fix: string): Promise<LlmCallRecord[]> {
  return readJsonLines(file, LlmCallRecord, 'a recorded LLM call', fix);
}
