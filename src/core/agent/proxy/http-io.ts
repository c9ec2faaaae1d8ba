/** Small HTTP helpers for the model proxy: reading a bounded JSON body and answering in OpenAI's error shape. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Coding CLIs resend the whole conversation every call; this is far above any real one, and bounds memory. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** A request the proxy answers itself, without calling the upstream (bad JSON, wrong token, spent budget…). */
export class ProxyRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ProxyRefusal(413, `request body over ${MAX_BODY_BYTES} bytes`, 'invalid_request_error');
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new ProxyRefusal(400, `request body is not JSON: ${(error as Error).message}`, 'invalid_request_error');
  }
  if (!isRecord(parsed)) throw new ProxyRefusal(400, 'request body is not a JSON object', 'invalid_request_error');
  return parsed;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** An error body as OpenAI's servers send it, so every client shows `message`. */
export function errorBody(message: string, type: string, code: string | null = null): { error: { message: string; type: string; code: string | null } } {
  return { error: { message: `speedrun model proxy: ${message}`, type, code } };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
