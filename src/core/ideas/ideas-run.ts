import type { ChatClient, ChatUsage } from '../agent/llm/chat.js';
import { callCost } from '../agent/llm/cost.js';
import type { ResolvedModel } from '../agent/llm/model-profile.js';
import { ExternalError, SpeedrunError } from '../errors.js';
import { DamagedRunError } from '../store/damaged-run.js';
import { askUntilUsable } from '../structured-ask/ask.js';
import { loadRunDrafts, type DraftInput } from './draft-inputs.js';
import { shannonEntropyBits } from './entropy.js';
import { appendIdeasCall } from './ideas-calls.js';
import { readIdeasFile, writeIdeasFile, type IdeaNode, type IdeasFile } from './ideas-file.js';
import { readIdeaAnswer } from './idea-answer.js';
import type { IdeaPrompts } from './idea-prompts.js';
import { IDEA_TAXONOMY_SHA256, IDEA_TAXONOMY_VERSION } from './taxonomy.js';

/** How many times an unusable answer goes back to the model with the reason (the answers are then 1 + this). */
export const IDEAS_ANSWER_RETRIES = 2;

/** The default K: the paper on ideation diversity measures the spread of an agent's first ideas. */
export const IDEAS_FIRST_K = 5;

/** A client for one draft's classification, and the cost of its i-th call (a replay's recorded costs). */
export interface DraftAsker {
  client: ChatClient;
  costOf?: (usage: ChatUsage | null, callIndex: number) => number | null;
}

export interface IdeasRunOptions {
  runDir: string;
  run: { run_id: string; track: string; record: number };
  prompts: IdeaPrompts;
  model: ResolvedModel;
  /** Asked for only when a draft needs a call: a run whose drafts are all cached never reaches the endpoint. */
  askerFor: (node: number) => Promise<DraftAsker>;
  /** endpoint: calls are made and appended to ideas-calls.jsonl; replay: they are served from it, nothing is appended. */
  mode: 'endpoint' | 'replay';
  /** The entropy's K (the first K drafts with a script); null: all drafts. */
  k: number | null;
  answerRetries?: number;
  /** Classify every draft again even when ideas.json holds its class. */
  force?: boolean;
  now?: () => Date;
  signal?: AbortSignal;
}

export interface DraftFailure {
  node: number;
  error: string;
  fix: string | null;
  /** 2: bad input (e.g. nothing recorded to replay); 3: the endpoint or the model's answers. */
  exitCode: number;
}

export interface IdeasOutcome {
  file: IdeasFile;
  /** Drafts answered now (or replayed), and drafts whose class ideas.json already held. */
  asked: number;
  cached: number;
  failures: DraftFailure[];
}

/**
 * Classifies every draft of one run: reuses a class ideas.json holds for the same diff, model, prompts and taxonomy,
 * asks the model for the others (an unusable answer goes back with the reason, structured-ask/ask.ts), and writes
 * ideas.json with the first K drafts' entropy. A draft that fails is listed and the others go on; only errors that
 * are no SpeedrunError (a bug, an interrupt) stop the run.
 */
export async function classifyRunIdeas(opts: IdeasRunOptions): Promise<IdeasOutcome> {
  const now = opts.now ?? (() => new Date());
  const { model, prompts } = opts;
  const drafts = await loadRunDrafts(opts.runDir);
  const cache = opts.mode === 'endpoint' && !opts.force ? await reusableNodes(opts) : new Map<number, IdeaNode>();
  const nodes: IdeaNode[] = [];
  const failures: DraftFailure[] = [];
  let cached = 0;
  for (const draft of drafts.classifiable) {
    opts.signal?.throwIfAborted();
    const known = cache.get(draft.node);
    if (known && known.diff_sha256 === draft.diffSha256) {
      nodes.push(known);
      cached++;
      continue;
    }
    try {
      nodes.push(await classifyDraft(opts, draft, now));
    } catch (error) {
      if (!(error instanceof SpeedrunError)) throw error;
      failures.push({ node: draft.node, error: error.message, fix: error.fix ?? null, exitCode: error.exitCode });
    }
  }

  const firstK = drafts.classifiable.slice(0, opts.k ?? undefined).map((d) => d.node);
  const byNode = new Map(nodes.map((n) => [n.node, n]));
  const primaries = firstK.map((n) => byNode.get(n)?.primary).filter((c) => c !== undefined);
  const counts: Record<string, number> = {};
  for (const c of primaries) counts[c] = (counts[c] ?? 0) + 1;
  const complete = primaries.length === firstK.length;
  const file: IdeasFile = {
    version: 1,
    run_id: opts.run.run_id,
    track: opts.run.track,
    record: opts.run.record,
    model: model.name,
    model_id: model.model,
    prompt_version: prompts.version,
    prompt_sha256: prompts.sha256,
    taxonomy_version: IDEA_TAXONOMY_VERSION,
    taxonomy_sha256: IDEA_TAXONOMY_SHA256,
    k: opts.k,
    drafts: drafts.drafts,
    nodes,
    skipped: drafts.skipped,
    failed: failures.map((f) => ({ node: f.node, error: f.error })),
    first_k: firstK,
    class_counts: counts,
    entropy_bits: complete ? shannonEntropyBits(primaries) : null,
    usage: totalUsage(nodes),
    classified_at: now().toISOString(),
  };
  await writeIdeasFile(opts.runDir, file);
  return { file, asked: nodes.length - cached, cached, failures };
}

/** The classes of an ideas.json made with this very model, prompt set and taxonomy, by node. */
async function reusableNodes(opts: IdeasRunOptions): Promise<Map<number, IdeaNode>> {
  const existing = await readIdeasFile(opts.runDir).catch((error) => {
    if (error instanceof DamagedRunError) return null; // classified again and replaced
    throw error;
  });
  const same =
    existing !== null &&
    existing.model === opts.model.name &&
    existing.prompt_version === opts.prompts.version &&
    existing.prompt_sha256 === opts.prompts.sha256 &&
    existing.taxonomy_version === IDEA_TAXONOMY_VERSION &&
    existing.taxonomy_sha256 === IDEA_TAXONOMY_SHA256;
  return new Map(same ? existing.nodes.map((n) => [n.node, n]) : []);
}

async function classifyDraft(opts: IdeasRunOptions, draft: DraftInput, now: () => Date): Promise<IdeaNode> {
  const asker = await opts.askerFor(draft.node);
  const answerRetries = opts.answerRetries ?? IDEAS_ANSWER_RETRIES;
  const asked = await askUntilUsable({
    client: asker.client,
    messages: opts.prompts.messages(opts.run, draft),
    read: readIdeaAnswer,
    feedback: opts.prompts.feedback,
    answerRetries,
    purposes: { first: 'ideas', retry: 'ideas-retry' },
    node: draft.node,
    model: opts.model,
    record: opts.mode === 'endpoint' ? (call) => appendIdeasCall(opts.runDir, call) : null,
    costOf: asker.costOf ?? ((usage) => callCost(usage, opts.model.prices)),
    now,
    signal: opts.signal,
  });
  if (!asked.ok) throw new IdeasAnswerError(asked.answers, asked.problem);
  return {
    ...asked.answer,
    node: draft.node,
    parent: draft.parent,
    diff_sha256: draft.diffSha256,
    note: draft.note,
    source: opts.mode,
    calls: asked.calls,
    malformed_answers: asked.malformed,
    usage: { ...asked.usage },
    classified_at: now().toISOString(),
  };
}

function totalUsage(nodes: readonly IdeaNode[]): IdeasFile['usage'] {
  const usage: IdeasFile['usage'] = { prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 };
  for (const n of nodes) {
    usage.prompt_tokens += n.usage.prompt_tokens;
    usage.completion_tokens += n.usage.completion_tokens;
    usage.cost_usd = usage.cost_usd === null || n.usage.cost_usd === null ? null : usage.cost_usd + n.usage.cost_usd;
  }
  return usage;
}

/** The model answered, but never with a usable class. */
export class IdeasAnswerError extends ExternalError {
  constructor(answers: number, problem: string) {
    super(
      'LLM classifier',
      `no usable class in ${answers} answer${answers === 1 ? '' : 's'}; the last problem: ${problem}`,
      'classify with another model, or raise --answer-retries',
    );
  }
}
