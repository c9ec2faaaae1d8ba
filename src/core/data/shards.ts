import { readFile } from 'node:fs/promises';
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

/** Parse one shard's bytes; `name` is used in error messages (usually the file path). */
export function decodeShard(bytes: Uint8Array, name: string): Uint16Array {
  const fix = 'delete the data folder and run `speedrun data prepare` again';
  if (bytes.length < SHARD_HEADER_BYTES) {
    throw new UserError(`${name}: not a token shard (${bytes.length} bytes, shorter than the ${SHARD_HEADER_BYTES}-byte header)`, fix);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getInt32(0, true);
  if (magic !== SHARD_MAGIC) {
    throw new UserError(`${name}: bad shard magic ${magic} (expected ${SHARD_MAGIC})`, fix);
  }
  const version = view.getInt32(4, true);
  if (version !== SHARD_VERSION) {
    throw new UserError(`${name}: unsupported shard version ${version} (expected ${SHARD_VERSION})`, fix);
  }
  const count = view.getInt32(8, true);
  const expected = SHARD_HEADER_BYTES + 2 * count;
  if (count < 0 || bytes.length !== expected) {
    throw new UserError(`${name}: header says ${count} tokens (${expected} bytes) but the file has ${bytes.length} bytes`, fix);
  }
  const tokens = new Uint16Array(count);
  for (let i = 0; i < count; i++) tokens[i] = view.getUint16(SHARD_HEADER_BYTES + 2 * i, true);
  return tokens;
}

export async function readShard(path: string): Promise<Uint16Array> {
  return decodeShard(new Uint8Array(await readFile(path)), path);
}
