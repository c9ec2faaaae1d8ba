import { open, readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';

/**
 * The upstream token-shard format (llm.c / modded-nanogpt `.bin` files): a header of 256 little-endian int32
 * (magic, version, token count, then zeros), followed by the tokens as little-endian uint16.
 */
export const SHARD_MAGIC = 20240520;
export const SHARD_VERSION = 1;
export const SHARD_HEADER_INTS = 256;
export const SHARD_HEADER_BYTES = SHARD_HEADER_INTS * 4;

/** Serialise tokens (each 0..65535) into one shard's bytes. */
export function encodeShard(tokens: Uint16Array): Uint8Array {
  const bytes = new Uint8Array(SHARD_HEADER_BYTES + tokens.length * 2);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, SHARD_MAGIC, true);
  view.setInt32(4, SHARD_VERSION, true);
  view.setInt32(8, tokens.length, true);
  for (let i = 0; i < tokens.length; i++) view.setUint16(SHARD_HEADER_BYTES + 2 * i, tokens[i] ?? 0, true);
  return bytes;
}

/**
 * What is wrong with a shard whose first bytes are `header` and whose whole size is `fileBytes`, or null when the
 * header is valid and its token count matches the size. Reads only the header, so a 200 MB shard is checked cheaply.
 */
export function shardHeaderProblem(header: Uint8Array, fileBytes: number): string | null {
  if (header.length < SHARD_HEADER_BYTES || fileBytes < SHARD_HEADER_BYTES) {
    return `not a token shard (${fileBytes} bytes, shorter than the ${SHARD_HEADER_BYTES}-byte header)`;
  }
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const magic = view.getInt32(0, true);
  if (magic !== SHARD_MAGIC) return `bad shard magic ${magic} (expected ${SHARD_MAGIC})`;
  const version = view.getInt32(4, true);
  if (version !== SHARD_VERSION) return `unsupported shard version ${version} (expected ${SHARD_VERSION})`;
  const count = view.getInt32(8, true);
  const expected = SHARD_HEADER_BYTES + 2 * count;
  if (count < 0 || fileBytes !== expected) {
    return `header says ${count} tokens (${expected} bytes) but the file has ${fileBytes} bytes`;
  }
  return null;
}

/** The token count a shard header declares (call after shardHeaderProblem returned null). */
export function shardTokenCount(header: Uint8Array): number {
  return new DataView(header.buffer, header.byteOffset, header.byteLength).getInt32(8, true);
}

/** Parse one shard's bytes; `name` is used in error messages (usually the file path). */
export function decodeShard(bytes: Uint8Array, name: string): Uint16Array {
  const problem = shardHeaderProblem(bytes, bytes.length);
  if (problem) throw new UserError(`${name}: ${problem}`, 'delete the data folder and run `speedrun data prepare` again');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = shardTokenCount(bytes);
  const tokens = new Uint16Array(count);
  for (let i = 0; i < count; i++) tokens[i] = view.getUint16(SHARD_HEADER_BYTES + 2 * i, true);
  return tokens;
}

export async function readShard(path: string): Promise<Uint16Array> {
  return decodeShard(new Uint8Array(await readFile(path)), path);
}

/** A shard file checked by its header and size alone: its token count, or what is wrong with it. */
export type ShardFileCheck = { ok: true; tokens: number; bytes: number } | { ok: false; problem: string; bytes: number };

/** Check a shard file without reading its tokens: the 1 KiB header and the file's size. */
export async function checkShardFile(path: string): Promise<ShardFileCheck> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const header = new Uint8Array(SHARD_HEADER_BYTES);
    const { bytesRead } = await handle.read(header, 0, SHARD_HEADER_BYTES, 0);
    const head = header.subarray(0, bytesRead);
    const problem = shardHeaderProblem(head, size);
    return problem ? { ok: false, problem, bytes: size } : { ok: true, tokens: shardTokenCount(head), bytes: size };
  } finally {
    await handle.close();
  }
}
