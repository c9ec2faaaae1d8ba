import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { CALLS_FILE, LlmCallRecord, parseCallLines } from '../../store/call-record.js';
import { LlmCallError, type CallContext, type ChatClient, type ChatMessage, type ChatResponse, type LlmFailureKind } from './chat.js';
import { NODES_DIR } from '../../store/layout.js';

/**
 * Answers from a recorded run's transcripts instead of an endpoint: node n's k-th proposal call gets the answer node
 * n's k-th recorded proposal call got (a recorded failure fails the same way); log analyses have their own sequence.
 * Keyed by node, so a node that needs a different number of calls than in the recording does not shift the answers
 * of the nodes after it.
 */
export class ReplayChatClient implements ChatClient {
  private readonly served = new Map<string, number>();

  constructor(private readonly calls: ReadonlyMap<number, LlmCallRecord[]>) {}

  async complete(_messages: ChatMessage[], signal?: AbortSignal, context?: CallContext): Promise<ChatResponse> {
    signal?.throwIfAborted();
    const node = context?.node ?? 0;
    const kind = sequenceOf(context?.purpose ?? 'propose');
    const key = `${node}:${kind}`;
    const index = this.served.get(key) ?? 0;
    this.served.set(key, index + 1);
    const record = this.calls.get(node)?.filter((call) => sequenceOf(call.purpose) === kind)[index];
    if (!record) {
      throw new LlmCallError(
        'bad-response',
        `the replayed transcript has no call ${index + 1} for node ${node}`,
        null,
        [],
        'replay a run whose transcript covers this node, or run the llm agent live',
      );
    }
    if (!record.response) {
      const error = record.error ?? { kind: 'bad-response', status: null, message: 'recorded call has neither a response nor an error' };
      throw new LlmCallError(error.kind as LlmFailureKind, error.message, error.status, record.retries);
    }
    return { ...record.response, usage: record.usage, latency_ms: record.latency_ms, retries: record.retries };
  }
}

function sequenceOf(purpose: string): 'analysis' | 'proposal' {
  return purpose === 'summarize' ? 'analysis' : 'proposal';
}

/** Reads every node's llm-calls.jsonl of a run folder. */
export async function loadRecordedCalls(runDir: string): Promise<Map<number, LlmCallRecord[]>> {
  const nodesDir = join(runDir, NODES_DIR);
  let entries: string[];
  try {
    entries = await readdir(nodesDir);
  } catch {
    throw new UserError(`${runDir} is not a run folder (no nodes/)`, 'pass --replay the folder of a run, e.g. results/<run-id>');
  }
  const calls = new Map<number, LlmCallRecord[]>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = await readFile(join(nodesDir, entry, CALLS_FILE), 'utf8');
    } catch {
      continue; // nodes without LLM calls (the baseline, built-in agents)
    }
    calls.set(Number(entry), parseCallLines(text, join(nodesDir, entry, CALLS_FILE), 'the transcript is damaged; replay another run'));
  }
  if (calls.size === 0) throw new UserError(`${runDir} has no recorded LLM calls`, 'replay a run made with --agent llm');
  return calls;
}
