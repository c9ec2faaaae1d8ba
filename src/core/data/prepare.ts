import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../fs-atomic.js';
import { sha256Hex } from '../catalog/files.js';
import { encodeShard } from './shards.js';
import { TINY_CORPUS_SPEC, TinyGrammar, generateTokens, tinyShardPlan } from './tiny-corpus.js';

/** Where the tiny track's shards are and what the scripts should read (their NANOGPT_* environment). */
export interface TinyData {
  dir: string;
  /** Glob pattern for NANOGPT_TRAIN_FILES. */
  trainFiles: string;
  /** Glob pattern for NANOGPT_VAL_FILES. */
  valFiles: string;
  /** NANOGPT_VAL_TOKENS: how many val tokens the scripts evaluate on. */
  valTokens: number;
}

export interface PrepareOptions {
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/** Bump when the generator or the layout changes, so old folders are rewritten rather than trusted. */
const FORMAT = 'speedrun-tiny-corpus/1';
export const TINY_SEED = 1337;
export const TINY_TRAIN_SHARDS = 2;
export const TINY_TRAIN_TOKENS_PER_SHARD = 2_097_152;
export const TINY_VAL_SHARD_TOKENS = 65_536;
export const TINY_VAL_TOKENS = 32_768;
export const MANIFEST_NAME = 'manifest.json';

interface ManifestFile {
  name: string;
  tokens: number;
  bytes: number;
  sha256: string;
}

interface Manifest {
  format: string;
  seed: number;
  spec: typeof TINY_CORPUS_SPEC;
  val_tokens: number;
  files: ManifestFile[];
}

function tinyData(dir: string): TinyData {
  return {
    dir,
    trainFiles: join(dir, 'tiny_train_*.bin'),
    valFiles: join(dir, 'tiny_val_*.bin'),
    valTokens: TINY_VAL_TOKENS,
  };
}

function expectedPlan() {
  return tinyShardPlan(TINY_SEED, TINY_TRAIN_SHARDS, TINY_TRAIN_TOKENS_PER_SHARD, TINY_VAL_SHARD_TOKENS);
}

/** True when `dir` holds a complete, verified copy of the tiny corpus (every shard hashes to its manifest entry). */
export async function tinyDataPresent(dir: string): Promise<boolean> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST_NAME), 'utf8')) as Manifest;
  } catch {
    return false;
  }
  if (manifest.format !== FORMAT || manifest.seed !== TINY_SEED || manifest.val_tokens !== TINY_VAL_TOKENS) return false;
  if (JSON.stringify(manifest.spec) !== JSON.stringify(TINY_CORPUS_SPEC)) return false;
  const plan = expectedPlan();
  if (!Array.isArray(manifest.files) || manifest.files.length !== plan.length) return false;
  for (const shard of plan) {
    const entry = manifest.files.find((f) => f.name === shard.name);
    if (!entry || entry.tokens !== shard.tokens) return false;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(join(dir, shard.name));
    } catch {
      return false;
    }
    if (bytes.length !== entry.bytes || sha256Hex(bytes) !== entry.sha256) return false;
  }
  return true;
}

/**
 * Make the tiny track's token shards in `dir` (idempotent: a verified folder is returned as is).
 * Shards are written first and the manifest last, each atomically, so an interrupted run leaves no manifest
 * that vouches for missing or torn shards.
 */
export async function prepareTinyData(dir: string, opts: PrepareOptions = {}): Promise<TinyData> {
  const log = opts.log ?? (() => {});
  if (await tinyDataPresent(dir)) {
    log(`tiny data already present in ${dir}`);
    return tinyData(dir);
  }
  opts.signal?.throwIfAborted();
  await mkdir(dir, { recursive: true });
  // A stale manifest must not vouch for shards while they are being replaced.
  await rm(join(dir, MANIFEST_NAME), { force: true });
  const grammar = new TinyGrammar(TINY_CORPUS_SPEC, TINY_SEED);
  const files: ManifestFile[] = [];
  for (const shard of expectedPlan()) {
    opts.signal?.throwIfAborted();
    const bytes = encodeShard(generateTokens(grammar, shard.streamSeed, shard.tokens));
    await writeFileAtomic(join(dir, shard.name), bytes);
    files.push({ name: shard.name, tokens: shard.tokens, bytes: bytes.length, sha256: sha256Hex(bytes) });
    log(`wrote ${shard.name} (${shard.tokens} tokens)`);
  }
  opts.signal?.throwIfAborted();
  const manifest: Manifest = { format: FORMAT, seed: TINY_SEED, spec: TINY_CORPUS_SPEC, val_tokens: TINY_VAL_TOKENS, files };
  await writeJsonAtomic(join(dir, MANIFEST_NAME), manifest);
  return tinyData(dir);
}
