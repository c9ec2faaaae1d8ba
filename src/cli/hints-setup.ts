import { loadHints } from '../core/catalog/catalog.js';
import { GENERATED_LEVELS, readGeneratedHint, settleDraft, type GeneratedHint, type GeneratedLevel } from '../core/catalog/generated-hints.js';
import type { TrackName } from '../core/catalog/schema.js';
import { ExternalError, UserError } from '../core/errors.js';
import { generateHint, HintAnswerError } from '../core/hintgen/hint-generate.js';
import { loadHintInputs, type HintInputs } from '../core/hintgen/hint-inputs.js';
import type { HintPrompts } from '../core/hintgen/hint-prompts.js';
import type { CliContext } from './context.js';
import { formatReview } from './hint-review-format.js';
import { chatClient, liveModel } from './live-model.js';

/** `--levels L1,L2,L3` → [1, 2, 3]: only the levels a model writes (L0 is the human diff, L9 upstream's own documents). */
export function parseGeneratedLevels(spec: string): GeneratedLevel[] {
  const levels = new Set<GeneratedLevel>();
  for (const part of spec.split(/[,+]/).map((p) => p.trim())) {
    const m = /^[Ll]([123])$/.exec(part);
    if (!m?.[1]) {
      throw new UserError(
        `unknown hint level ${JSON.stringify(part)} in --levels ${JSON.stringify(spec)}`,
        'a model writes L1 (pseudocode), L2 (text description) and L3 (mini-paper): e.g. --levels L1,L2,L3; L0 and L9 are never generated',
      );
    }
    levels.add(Number(m[1]) as GeneratedLevel);
  }
  return [...levels].sort((a, b) => a - b);
}

export interface GenerateSettings {
  track: TrackName;
  record: number;
  levels: GeneratedLevel[];
  prompts: HintPrompts;
  model?: string;
  config?: string;
  baseUrl?: string;
  force: boolean;
  answerRetries: number;
  signal: AbortSignal;
}

export interface GeneratedDraft {
  level: GeneratedLevel;
  path: string;
  model: string;
  prompt_version: string;
  calls: number;
  malformed_answers: number;
  cost_usd: number | null;
}

/**
 * Drafts each level in turn from the record's true diff. Everything that can be refused (the record, the scripts,
 * a draft or accepted hint already there) is refused before the model is asked; a level whose answers stay unusable
 * is listed and the next level is drafted; the command then fails with exit 3 naming them.
 */
export async function generateHints(
  ctx: CliContext,
  s: GenerateSettings,
): Promise<{ drafts: GeneratedDraft[]; failed: Array<{ level: number; problem: string }> }> {
  const cache = ctx.cache();
  const inputs = await loadHintInputs({ track: s.track, record: s.record, cache });
  await refuseExisting(ctx, s);
  const bundled = (await loadHints(s.track)).hints
    .filter((h) => h.record === s.record && s.levels.includes(h.level as GeneratedLevel))
    .map((h) => `L${h.level}`);
  if (bundled.length) {
    ctx.log(`note: track ${s.track} ships its own ${bundled.join(', ')} for record ${s.record}; agents get those, a generated one stays for comparison`);
  }
  const live = await liveModel(
    ctx,
    s,
    'hints generate',
    (model) => `hints: model ${model.name} (${model.model} at ${model.base_url}), prompts hints/${s.prompts.version}`,
    chatClient,
  );
  const client = await live.client();
  const drafts: GeneratedDraft[] = [];
  const failed: Array<{ level: number; problem: string }> = [];
  for (const level of s.levels) {
    try {
      const draft = await generateHint({
        cache,
        inputs,
        level,
        prompts: s.prompts,
        model: live.model,
        client,
        answerRetries: s.answerRetries,
        signal: s.signal,
      });
      const m = draft.meta;
      drafts.push({
        level,
        path: draft.path,
        model: m.model,
        prompt_version: m.prompt_version,
        calls: m.calls,
        malformed_answers: m.malformed_answers,
        cost_usd: m.usage.cost_usd,
      });
      ctx.log(`draft L${level} written: ${draft.path}${m.malformed_answers ? ` (${m.malformed_answers} unusable answer(s) retried)` : ''}`);
    } catch (error) {
      if (!(error instanceof HintAnswerError)) throw error;
      failed.push({ level, problem: error.detail });
      ctx.log(`L${level}: ${error.detail}`);
    }
  }
  return { drafts, failed };
}

async function refuseExisting(ctx: CliContext, s: GenerateSettings): Promise<void> {
  if (s.force) return;
  const cache = ctx.cache();
  const taken: string[] = [];
  for (const level of s.levels) {
    if (await readGeneratedHint(cache, s.track, s.record, level, 'draft')) taken.push(`a draft L${level} awaiting review`);
    else if (await readGeneratedHint(cache, s.track, s.record, level, 'accepted')) taken.push(`an accepted L${level}`);
  }
  if (taken.length) {
    throw new UserError(
      `record ${s.record} of track ${s.track} already has ${taken.join(' and ')}`,
      `review it (speedrun hints review --track ${s.track} --record ${s.record}), or pass --force to write a new draft (an accepted hint stays offered until a new one is accepted)`,
    );
  }
}

/** The failed levels as the command's error: the endpoint answered, never usably (exit 3). */
export function failedLevelsError(failed: Array<{ level: number; problem: string }>, drafted: number): ExternalError {
  const list = failed.map((f) => `L${f.level}: ${f.problem}`).join('; ');
  return new ExternalError(
    'LLM hint writer',
    `${failed.length} level(s) got no usable hint (${list}); ${drafted} draft(s) written; no file was written for the failed level(s)`,
    'generate those levels again, with another model or a higher --answer-retries',
  );
}

export interface ReviewSettings {
  track: TrackName;
  record: number;
  /** Null: every level that has a draft. */
  level: GeneratedLevel | null;
  decision: 'accepted' | 'rejected' | null;
  reason: string | null;
  /** Terminal width for the side-by-side layout; null: one after the other. */
  columns: number | null;
  /** Asks the reviewer a question (a TTY); null where no one can answer (scripts, pipes). */
  ask: ((question: string) => Promise<string>) | null;
}

export interface ReviewOutcome {
  level: GeneratedLevel;
  decision: 'accepted' | 'rejected' | 'skipped' | 'shown';
  path: string;
  reason: string | null;
}

/**
 * Shows each draft beside the true diff and settles it: by the flags, or by the reviewer's a/r/s on a terminal.
 * Without either, the drafts are only shown, and the output says how to decide.
 */
export async function reviewHints(ctx: CliContext, s: ReviewSettings): Promise<ReviewOutcome[]> {
  const cache = ctx.cache();
  const levels = s.level === null ? [...GENERATED_LEVELS] : [s.level];
  const drafts: GeneratedHint[] = [];
  for (const level of levels) {
    const draft = await readGeneratedHint(cache, s.track, s.record, level, 'draft');
    if (draft) drafts.push(draft);
  }
  if (drafts.length === 0) {
    const which = s.level === null ? 'any level' : `L${s.level}`;
    throw new UserError(
      `no draft hint of ${which} to review for record ${s.record} of track ${s.track}`,
      `write one first: speedrun hints generate --track ${s.track} --record ${s.record} --levels ${s.level === null ? 'L1,L2,L3' : `L${s.level}`} --model M (speedrun hints list --track ${s.track} shows what there is)`,
    );
  }
  if (s.decision && drafts.length > 1) {
    throw new UserError(
      `record ${s.record} has ${drafts.length} drafts (${drafts.map((d) => `L${d.meta.level}`).join(', ')}): --${s.decision === 'accepted' ? 'accept' : 'reject'} needs to know which`,
      'name one with --level',
    );
  }
  if (s.decision === 'rejected' && !s.reason)
    throw new UserError('--reject needs --reason', 'say why, e.g. --reason "describes a change the diff does not make"');
  const inputs = await loadHintInputs({ track: s.track, record: s.record, cache });
  const outcomes: ReviewOutcome[] = [];
  for (const draft of drafts) {
    ctx.out(formatReview(draft, inputs.diff, s.columns));
    warnIfStale(ctx, draft, inputs);
    const chosen = s.decision ? { decision: s.decision, reason: s.reason } : s.ask ? await askDecision(s.ask) : null;
    if (chosen === null) {
      ctx.log(`decide with: speedrun hints review --track ${s.track} --record ${s.record} --level L${draft.meta.level} --accept (or --reject --reason R)`);
      outcomes.push({ level: draft.meta.level, decision: 'shown', path: draft.path, reason: null });
      continue;
    }
    if (chosen.decision === 'skipped') {
      outcomes.push({ level: draft.meta.level, decision: 'skipped', path: draft.path, reason: null });
      continue;
    }
    const settled = await settleDraft(draft, chosen.decision, chosen.reason, new Date());
    ctx.log(`L${draft.meta.level} ${chosen.decision}: ${settled.path}`);
    outcomes.push({ level: draft.meta.level, decision: chosen.decision, path: settled.path, reason: chosen.reason });
  }
  return outcomes;
}

function warnIfStale(ctx: CliContext, draft: GeneratedHint, inputs: HintInputs): void {
  if (draft.meta.diff_sha256 !== inputs.diffSha256) {
    ctx.log(
      `warning: the records' diff changed since this draft was written (sha256 ${draft.meta.diff_sha256.slice(0, 12)}… then, ${inputs.diffSha256.slice(0, 12)}… now)`,
    );
  }
}

async function askDecision(ask: (question: string) => Promise<string>): Promise<{ decision: 'accepted' | 'rejected' | 'skipped'; reason: string | null }> {
  for (;;) {
    const answer = (await ask('accept, reject or skip? [a/r/s] ')).trim().toLowerCase();
    if (answer === 'a') return { decision: 'accepted', reason: null };
    if (answer === 's') return { decision: 'skipped', reason: null };
    if (answer === 'r') {
      let reason = '';
      while (!reason) reason = (await ask('reason: ')).trim();
      return { decision: 'rejected', reason };
    }
  }
}
