import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appendInFolder } from '../fs-atomic.js';
import { LlmCallRecord, parseCallLines } from './call-record.js';
import { JUDGE_CALLS_FILE } from './layout.js';

/**
 * judge-calls.jsonl: every call `speedrun judge` made for a run, one LlmCallRecord per line, appended (never
 * rewritten), so every verdict ever asked for stays on disk and `speedrun judge --replay` can rebuild judge.json.
 */

export function appendJudgeCall(runDir: string, call: LlmCallRecord): void {
  appendInFolder(join(runDir, JUDGE_CALLS_FILE), `${JSON.stringify(LlmCallRecord.parse(call))}\n`);
}

/** Every recorded judge call of a run, in order; [] when none was made. A line that does not parse is refused. */
export async function readJudgeCalls(runDir: string): Promise<LlmCallRecord[]> {
  const file = join(runDir, JUDGE_CALLS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return parseCallLines(text, file, 'the file is damaged; judge the run again with --force');
}
