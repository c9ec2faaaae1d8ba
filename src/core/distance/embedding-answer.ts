import { isRecord, preview } from '../agent/llm/response-fields.js';

/**
 * Reads the vectors out of an /embeddings answer, or says what is wrong with it: no `data` list, a count other
 * than the inputs sent, an `embedding` that is not a list of finite numbers, vectors of different lengths (among
 * themselves, or against the length this model gave before), or a zero vector (no direction to compare).
 */
export type EmbeddingRead = { ok: true; vectors: number[][] } | { ok: false; problem: string };

export function readEmbeddings(body: unknown, inputs: number, dimension: number | null): EmbeddingRead {
  const fail = (problem: string): EmbeddingRead => ({ ok: false, problem });
  if (!isRecord(body) || !Array.isArray(body.data))
    return fail(typeof body === 'string' ? `the answer is not JSON: ${preview(body)}` : `the answer has no data list: ${preview(body)}`);
  if (body.data.length !== inputs) return fail(`the answer holds ${body.data.length} embeddings for ${inputs} inputs`);
  const slots = new Array<number[] | undefined>(inputs);
  for (const [position, item] of body.data.entries()) {
    if (!isRecord(item) || !Array.isArray(item.embedding)) return fail(`data[${position}] has no embedding list (a base64 answer is not read: ask for floats)`);
    // Servers may answer out of order; `index` says which input an embedding is for.
    const index = typeof item.index === 'number' ? item.index : position;
    if (!Number.isInteger(index) || index < 0 || index >= inputs || slots[index])
      return fail(`data[${position}] has index ${String(item.index)}, not one of the ${inputs} inputs once`);
    const vector = item.embedding as unknown[];
    if (vector.length === 0) return fail(`data[${position}].embedding is empty`);
    const bad = vector.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
    if (bad >= 0) return fail(`data[${position}].embedding[${bad}] is ${JSON.stringify(vector[bad]) ?? String(vector[bad])}, not a finite number`);
    const expected = dimension ?? slots.find((s) => s)?.length ?? vector.length;
    if (vector.length !== expected) return fail(`data[${position}].embedding has ${vector.length} numbers where ${expected} were expected`);
    if (!(vector as number[]).some((x) => x !== 0)) return fail(`data[${position}].embedding is all zeros`);
    slots[index] = vector as number[];
  }
  return { ok: true, vectors: slots as number[][] };
}
