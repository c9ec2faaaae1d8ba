import type { LlmCallRecord } from '../store/call-record.js';
import { askSessions, latestAskSession, namedModel, RecordedSessionClient, recordedModel } from '../structured-ask/replay.js';

/**
 * One judging as recorded in judge-calls.jsonl: a `judge` call and the `judge-retry` calls after it (each after an
 * answer that could not be used). A file holds every judging ever made for the run, oldest first.
 */
export function judgeSessions(calls: readonly LlmCallRecord[]): LlmCallRecord[][] {
  return askSessions(calls, 'judge');
}

/** The latest recorded judging of `node` (by `model`, when named), or null when there is none. */
export function latestSession(calls: readonly LlmCallRecord[], node: number, model?: string): LlmCallRecord[] | null {
  return latestAskSession(calls, 'judge', node, model);
}

export { namedModel, recordedModel as recordedJudgeModel };

/** Answers a judging from its recorded calls, in order, without an endpoint (structured-ask/replay.ts). */
export class JudgeReplayClient extends RecordedSessionClient {
  constructor(session: readonly LlmCallRecord[], source: string) {
    super(session, source, 'judge', {
      ended: 'judge the run again without --replay',
      differs: 'replay with the --prompt-version the judging used, or judge the run again without --replay',
    });
  }
}
