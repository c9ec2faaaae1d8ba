import { ExternalError } from '../../errors.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

/** One failed HTTP attempt that was retried. */
export interface RetriedAttempt {
  error: string;
  status: number | null;
  waited_ms: number;
}

export interface ChatResponse {
  content: string;
  /** Reasoning text some servers return beside the answer (vLLM, DeepSeek); kept for the transcript. */
  reasoning: string | null;
  finish_reason: string | null;
  usage: ChatUsage | null;
  /** The model the server says answered. */
  model: string | null;
  /** Wall time of the successful attempt, and the attempts that failed before it. */
  latency_ms: number;
  retries: RetriedAttempt[];
}

/** What one attempt yields, before the client adds its timing and retries. */
export type ChatAnswer = Omit<ChatResponse, 'retries' | 'latency_ms'>;

/** What kind of failure: decides the exit code at the CLI edge and whether a retry can help. */
export type LlmFailureKind = 'http' | 'timeout' | 'connection' | 'bad-response' | 'auth';

/** A chat call that failed for good (after its retries). */
export class LlmCallError extends ExternalError {
  constructor(
    readonly kind: LlmFailureKind,
    message: string,
    readonly status: number | null,
    readonly retries: RetriedAttempt[],
    fix?: string,
  ) {
    super('LLM endpoint', message, fix);
  }
}

/**
 * What a streamed call reports while it runs: a piece of the answer (or of the reasoning some servers send
 * beside it), or `restart`: an attempt failed mid-stream and is retried, so every piece so far is void.
 */
export type StreamEvent = { kind: 'delta'; part: 'content' | 'reasoning'; text: string } | { kind: 'restart' };
export type StreamListener = (event: StreamEvent) => void;

/** Which node a call is for; a live endpoint ignores it, a replayed transcript answers from that node's calls. */
export interface CallContext {
  node: number;
  purpose: string;
  /** Told each piece of a streamed answer as it arrives; clients that do not stream never call it. */
  onStream?: StreamListener;
}

/** Anything that answers chat messages: an OpenAI-compatible endpoint, or a recorded transcript. */
export interface ChatClient {
  complete(messages: ChatMessage[], signal?: AbortSignal, context?: CallContext): Promise<ChatResponse>;
}
