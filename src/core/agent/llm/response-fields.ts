/** Small readers shared by the non-streamed and the streamed completion readers: servers send loosely typed JSON. */
import type { ChatUsage } from './chat.js';
import { clip } from './llm-failures.js';

const PREVIEW_CHARS = 200;

export function readUsage(usage: unknown): ChatUsage | null {
  if (!isRecord(usage) || typeof usage.prompt_tokens !== 'number' || typeof usage.completion_tokens !== 'number') return null;
  return { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens };
}

/** A short quote of what a server sent, for error messages. */
export function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return clip(text, PREVIEW_CHARS);
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
