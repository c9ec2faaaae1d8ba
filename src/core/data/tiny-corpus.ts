/**
 * A deterministic synthetic token corpus for the tiny track (docs/architecture.md, "The tiny track").
 *
 * The text is a stream of documents separated by an end-of-text token. Inside a document three kinds of
 * structure are layered so that the innovations of the real speedrun ladder have something to bite on:
 *
 * 1. Local grammar: a sparse first-order Markov chain (each token has four likely successors with weights
 *    8:4:2:1). An embedding + unembedding learns this quickly.
 * 2. Optionally (spec.topics > 1), a hidden topic per document that selects one of several Markov tables; a
 *    model must infer it from the context. The tiny track uses a single topic: with the CPU budget of the
 *    track, more tables only add memorisation that no rung of the ladder speeds up.
 * 3. Repeated spans: now and then the document copies a span of its own earlier text verbatim. Predicting
 *    the rest of a span after its first token requires an induction circuit (find the previous occurrence,
 *    attend to the token after it), which depends on good relative-position information.
 *
 * Everything is integer arithmetic on a seeded PRNG, so the same seed gives byte-identical tokens on every
 * machine and Node version.
 */

export interface TinyCorpusSpec {
  vocabSize: number;
  topics: number;
  minDocLength: number;
  maxDocLength: number;
  /** A span copy starts at an eligible position with probability 1 / copyEvery. */
  copyEvery: number;
  minCopyLength: number;
  maxCopyLength: number;
}

export const TINY_CORPUS_SPEC: TinyCorpusSpec = {
  vocabSize: 256,
  topics: 1,
  minDocLength: 48,
  maxDocLength: 128,
  copyEvery: 6,
  minCopyLength: 6,
  maxCopyLength: 16,
};

/** The last id of the vocabulary separates documents, as GPT-2's <|endoftext|> does. */
export function eotToken(spec: TinyCorpusSpec = TINY_CORPUS_SPEC): number {
  return spec.vocabSize - 1;
}

const SUCCESSORS = 4;
/** Cumulative weights 8:4:2:1 out of 15, for picking one of the four successors. */
const SUCCESSOR_CUMULATIVE = [8, 12, 14, 15] as const;

/** sfc32, seeded through splitmix32: small, fast, and exact in 32-bit integer arithmetic. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniform uint32. */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform integer in [0, n), n ≥ 1 (modulo bias is below 2^-20 for the small n used here). */
  below(n: number): number {
    return this.next() % n;
  }
}

/** The grammar shared by every shard made from one seed: per topic, four successors for every content token. */
export class TinyGrammar {
  readonly successors: Uint16Array;

  constructor(
    readonly spec: TinyCorpusSpec,
    seed: number,
  ) {
    const content = spec.vocabSize - 1;
    const rng = new Prng(seed ^ 0x5eed0001);
    this.successors = new Uint16Array(spec.topics * content * SUCCESSORS);
    for (let i = 0; i < this.successors.length; i++) this.successors[i] = rng.below(content);
  }

  next(topic: number, previous: number, rng: Prng): number {
    const r = rng.below(15);
    let j = 0;
    while (r >= (SUCCESSOR_CUMULATIVE[j] ?? 15)) j++;
    const content = this.spec.vocabSize - 1;
    return this.successors[(topic * content + previous) * SUCCESSORS + j] ?? 0;
  }
}

/** Fill `count` tokens with whole documents, each followed by the end-of-text token (the last one truncated). */
export function generateTokens(grammar: TinyGrammar, streamSeed: number, count: number): Uint16Array {
  const spec = grammar.spec;
  const eot = eotToken(spec);
  const content = spec.vocabSize - 1;
  const rng = new Prng(streamSeed);
  const out = new Uint16Array(count);
  let n = 0;
  while (n < count) {
    const start = n;
    const length = spec.minDocLength + rng.below(spec.maxDocLength - spec.minDocLength + 1);
    const topic = rng.below(spec.topics);
    let copyFrom = -1;
    let copyLeft = 0;
    for (let pos = 0; pos < length && n < count; pos++) {
      let token: number;
      if (copyLeft > 0) {
        token = out[start + copyFrom] ?? 0;
        copyFrom++;
        copyLeft--;
      } else if (pos === 0) {
        token = rng.below(content);
      } else {
        const span = spec.minCopyLength + rng.below(spec.maxCopyLength - spec.minCopyLength + 1);
        if (pos >= 2 * span && rng.below(spec.copyEvery) === 0) {
          copyFrom = rng.below(pos - span);
          copyLeft = span - 1;
          token = out[start + copyFrom] ?? 0;
          copyFrom++;
        } else {
          token = grammar.next(topic, out[n - 1] ?? 0, rng);
        }
      }
      out[n++] = token;
    }
    if (n < count) out[n++] = eot;
  }
  return out;
}

export interface TinyShardPlan {
  name: string;
  tokens: number;
  streamSeed: number;
}

/** The shards of the tiny track: names, sizes, and the PRNG stream of each. */
export function tinyShardPlan(seed: number, trainShards: number, trainTokensPerShard: number, valTokensInShard: number): TinyShardPlan[] {
  const plan: TinyShardPlan[] = [{ name: 'tiny_val_000000.bin', tokens: valTokensInShard, streamSeed: (seed * 1000 + 999) >>> 0 }];
  for (let i = 0; i < trainShards; i++) {
    plan.push({ name: `tiny_train_${String(i + 1).padStart(6, '0')}.bin`, tokens: trainTokensPerShard, streamSeed: (seed * 1000 + i + 1) >>> 0 });
  }
  return plan;
}
