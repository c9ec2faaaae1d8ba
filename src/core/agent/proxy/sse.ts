/** Server-sent events: reading them from an upstream body one event at a time, and writing them to an agent. */
import type { ServerResponse } from 'node:http';

export interface SseEvent {
  /** The `event:` field, when the server sent one (the Responses API does). */
  event: string | null;
  /** The `data:` lines joined. */
  data: string;
  /** The event as received, to forward unchanged. */
  raw: string;
}

/** Yields each event of `body` as soon as its blank line arrives. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true }).replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parseBlock(block);
      if (event) yield event;
    }
  }
  const rest = parseBlock((buffer + decoder.decode()).trim());
  if (rest) yield rest;
}

function parseBlock(block: string): SseEvent | null {
  let event: string | null = null;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length === 0 && event === null ? null : { event, data: data.join('\n'), raw: `${block}\n\n` };
}

export function startSse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
}

/** One event; `type` doubles as the `event:` field, as the Responses API sends it. */
export function writeSseData(res: ServerResponse, data: unknown, type?: string): void {
  if (res.writableEnded || res.destroyed) return;
  res.write(`${type ? `event: ${type}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}
