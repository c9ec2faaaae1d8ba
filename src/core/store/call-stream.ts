import { z } from 'zod';

/**
 * How a streamed answer arrived, kept beside the whole answer in a call record so a reader can replay it at the pace
 * the model wrote it: pieces in arrival order, each with its offset from the request and what it was part of.
 */
export const StreamPiece = z.object({
  /** Milliseconds from the request to this piece's first character. */
  ms: z.number().nonnegative(),
  /** `tool`: arguments of a function call the model asked for (`tool` is its index). */
  kind: z.enum(['content', 'reasoning', 'tool']),
  text: z.string(),
  tool: z.number().int().nonnegative().optional(),
});
export type StreamPiece = z.infer<typeof StreamPiece>;
export type StreamPieceKind = StreamPiece['kind'];

/** Pieces closer than this to the start of the piece before (same kind) are merged: token-sized pieces would bloat the file. */
export const STREAM_MERGE_MS = 100;
/** Past this many pieces the merge window doubles and the pieces so far are merged again, so a record stays small. */
export const STREAM_MAX_PIECES = 400;
/** No window wider than this: a stream whose kinds alternate faster cannot be merged by time, only by kind. */
const MAX_WINDOW_MS = 3_600_000;

/**
 * Gathers a streamed answer's pieces as they arrive, merged by time (docs/view.md, "Streamed text"). The text of
 * every kind is kept whole and in order; only how finely its timing is kept depends on the stream's length.
 */
export class StreamRecorder {
  private list: StreamPiece[] = [];
  private windowMs = STREAM_MERGE_MS;
  private start: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.start = now();
  }

  add(kind: StreamPieceKind, text: string, tool?: number): void {
    if (!text) return;
    const ms = Math.max(0, Math.round(this.now() - this.start));
    const last = this.list.at(-1);
    if (last && sameStream(last, kind, tool) && ms - last.ms < this.windowMs) {
      last.text += text;
      return;
    }
    if (this.list.length >= STREAM_MAX_PIECES && !this.shrink()) {
      // Kinds alternate faster than any window: keep the text with the last piece of its kind (timing lost, not text).
      const same = [...this.list].reverse().find((p) => sameStream(p, kind, tool));
      if (same) {
        same.text += text;
        return;
      }
    }
    this.list.push({ ms, kind, text, ...(tool !== undefined && { tool }) });
  }

  /** A retried attempt starts the answer over: what the failed one streamed is void. */
  restart(): void {
    this.list = [];
  }

  /** The pieces, or undefined when nothing streamed (a whole answer has no stream to replay). */
  pieces(): StreamPiece[] | undefined {
    return this.list.length > 0 ? this.list.map((p) => ({ ...p })) : undefined;
  }

  /** Doubles the window until the pieces so far merge to half the cap; false when no window can. */
  private shrink(): boolean {
    while (this.windowMs < MAX_WINDOW_MS) {
      this.windowMs *= 2;
      this.list = mergeWithin(this.list, this.windowMs);
      if (this.list.length <= STREAM_MAX_PIECES / 2) return true;
    }
    return this.list.length < STREAM_MAX_PIECES;
  }
}

function sameStream(piece: StreamPiece, kind: StreamPieceKind, tool: number | undefined): boolean {
  return piece.kind === kind && piece.tool === tool;
}

function mergeWithin(pieces: StreamPiece[], windowMs: number): StreamPiece[] {
  const out: StreamPiece[] = [];
  for (const piece of pieces) {
    const last = out.at(-1);
    if (last && sameStream(last, piece.kind, piece.tool) && piece.ms - last.ms < windowMs) last.text += piece.text;
    else out.push({ ...piece });
  }
  return out;
}
