import type { CallStreamListener } from '../agent/agent.js';
import type { StreamEvent } from '../agent/llm/chat.js';

/**
 * A streamed answer arrives a token or so at a time; an event per token would redraw the terminal UI hundreds of times
 * a second. Pieces are gathered and let out at most once per interval, when the next piece arrives (no timer: tokens
 * keep coming while a model writes, and what is still held when the call ends is dropped, because the call's end
 * clears the live text anyway and the whole answer is on record).
 */
export const STREAM_EVENT_INTERVAL_MS = 100;

export interface StreamPiece {
  purpose: string;
  part: 'content' | 'reasoning';
  text: string;
  restart: boolean;
}

export interface StreamCoalescer {
  listener: CallStreamListener;
  /** The call ended: drop what is held, and let the next call's first piece out at once. */
  end(): void;
}

export function coalesceStream(
  send: (piece: StreamPiece) => void,
  intervalMs: number = STREAM_EVENT_INTERVAL_MS,
  now: () => number = Date.now,
): StreamCoalescer {
  let held: { purpose: string; content: string; reasoning: string } | null = null;
  let lastSent = -Infinity;

  const flush = (): void => {
    if (!held) return;
    const { purpose, content, reasoning } = held;
    held = null;
    lastSent = now();
    // Reasoning comes before the answer it leads to.
    if (reasoning) send({ purpose, part: 'reasoning', text: reasoning, restart: false });
    if (content) send({ purpose, part: 'content', text: content, restart: false });
  };

  const listener = (event: StreamEvent, purpose: string): void => {
    if (event.kind === 'restart') {
      held = null;
      send({ purpose, part: 'content', text: '', restart: true });
      return;
    }
    if (held && held.purpose !== purpose) flush();
    held ??= { purpose, content: '', reasoning: '' };
    held[event.part] += event.text;
    if (now() - lastSent >= intervalMs) flush();
  };

  return {
    listener,
    end: () => {
      held = null;
      lastSent = -Infinity;
    },
  };
}
