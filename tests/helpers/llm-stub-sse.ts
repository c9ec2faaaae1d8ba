/**
 * Server-sent events for the loopback LLM stub: a scripted reply as chat.completion.chunk events (what a server
 * sends for `stream: true`), and a writer that can also end a stream badly (no [DONE], or a dropped connection).
 */
import type { ServerResponse } from 'node:http';

export interface StreamedReply {
  content: string;
  /** How the content is cut into deltas (default: word by word, spaces kept). */
  pieces?: string[];
  reasoning?: string;
  finish_reason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  model?: string;
  tool_calls?: Array<{ id: string; name: string; arguments: string }>;
}

/**
 * How a scripted stream stops: `done` as servers do, `close` ends the body without [DONE], `drop` cuts the connection,
 * `stall` keeps it open and silent (until the stub closes).
 */
export type StreamEnd = 'done' | 'close' | 'drop' | 'stall';

/** The chunk events for a reply: a role delta, reasoning and content deltas, the finish, and the usage chunk if asked. */
export function completionChunks(reply: StreamedReply, model: string, includeUsage: boolean): object[] {
  const base = { id: `chatcmpl-stub-${Date.now()}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: reply.model ?? model };
  const chunk = (delta: object, finish: string | null = null): object => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
  const pieces = reply.pieces ?? reply.content.match(/\S+\s*|\s+/g) ?? [];
  const events: object[] = [chunk({ role: 'assistant', content: '' })];
  if (reply.reasoning !== undefined) events.push(chunk({ reasoning_content: reply.reasoning }));
  for (const piece of pieces) events.push(chunk({ content: piece }));
  (reply.tool_calls ?? []).forEach((call, index) => {
    const half = Math.floor(call.arguments.length / 2);
    events.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }));
    for (const part of [call.arguments.slice(0, half), call.arguments.slice(half)])
      events.push(chunk({ tool_calls: [{ index, function: { arguments: part } }] }));
  });
  events.push(chunk({}, reply.finish_reason ?? 'stop'));
  const usage = reply.usage === undefined ? { prompt_tokens: 10, completion_tokens: 5 } : reply.usage;
  if (includeUsage && usage !== null) {
    events.push({ ...base, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } });
  }
  return events;
}

/** How long a dropped stream waits before cutting the connection, so the events before it reach the client first. */
const DROP_AFTER_MS = 50;

/** A pause between two events of a scripted stream: the stub waits this long before writing the next one. */
export class SsePause {
  constructor(readonly ms: number) {}
}
export const pause = (ms: number): SsePause => new SsePause(ms);

/**
 * Writes each event as `data: …` (strings as they are, objects as JSON), waiting at each SsePause, then ends the stream
 * as `end` says. Without pauses everything is written at once.
 */
export function writeSse(res: ServerResponse, events: Array<string | object>, end: StreamEnd = 'done', contentType = 'text/event-stream'): void {
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
  void (async () => {
    for (const event of events) {
      if (event instanceof SsePause) await new Promise((resolve) => setTimeout(resolve, event.ms));
      else if (!res.destroyed) res.write(`data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`);
    }
    if (res.destroyed) return;
    if (end === 'done') {
      res.end('data: [DONE]\n\n');
    } else if (end === 'close') {
      res.end();
    } else if (end === 'drop') {
      setTimeout(() => res.socket?.destroy(), DROP_AFTER_MS);
    }
  })();
}

/** Whether a chat request asked for a stream, and for the usage chunk. */
export function streamRequested(body: unknown): { stream: boolean; includeUsage: boolean } {
  const record = typeof body === 'object' && body !== null ? (body as { stream?: unknown; stream_options?: { include_usage?: unknown } }) : {};
  return { stream: record.stream === true, includeUsage: record.stream_options?.include_usage === true };
}
