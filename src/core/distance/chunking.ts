import { z } from 'zod';

/**
 * How a script is cut for an embedding model whose input is limited: into chunks of whole lines of at most
 * `max_chars` characters (a longer line is cut every `max_chars`), each embedded, then pooled (score/embedding-
 * distance.ts poolChunks: unit vectors averaged by chunk length). Deterministic: the same script and size always give
 * the same chunks, so their embeddings can be cached and replayed.
 */

/** About 1–1.5k tokens of Python: inside the input of 8k-token embedding models, with room to spare. */
export const DEFAULT_CHUNK_CHARS = 4000;

export const Chunking = z.object({
  policy: z.literal('lines'),
  max_chars: z.number().int().positive(),
  pooling: z.literal('mean-by-chars'),
});
export type Chunking = z.infer<typeof Chunking>;

export function chunking(maxChars: number = DEFAULT_CHUNK_CHARS): Chunking {
  return { policy: 'lines', max_chars: maxChars, pooling: 'mean-by-chars' };
}

/** A short name for logs and cache keys: "lines-4000". */
export function chunkingLabel(c: Chunking): string {
  return `${c.policy}-${c.max_chars}`;
}

/** The chunks of a text; joined, they give the text back. An empty text is one empty chunk. */
export function chunkText(text: string, maxChars: number): string[] {
  if (!Number.isInteger(maxChars) || maxChars <= 0) throw new RangeError(`chunk size must be a positive whole number, got ${maxChars}`);
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [''];
  const chunks: string[] = [];
  let current = '';
  for (const line of lines) {
    if (current.length + line.length <= maxChars) {
      current += line;
      continue;
    }
    if (current) chunks.push(current);
    current = '';
    let rest = line;
    while (rest.length > maxChars) {
      chunks.push(rest.slice(0, maxChars));
      rest = rest.slice(maxChars);
    }
    current = rest;
  }
  if (current || chunks.length === 0) chunks.push(current);
  return chunks;
}
