import type { CliContext } from './context.js';
import { UserError } from '../core/errors.js';
import { interruptSignal, parseWholeNumber } from './options.js';

/** The flags `speedrun judge`, `ideas` and `distance` share: the model, a replay instead, and the retries of an answer. */
export interface ModelCommandFlags {
  model?: string;
  config?: string;
  baseUrl?: string;
  json?: boolean;
  force?: boolean;
  replay?: boolean;
  answerRetries: string;
}

/** Those flags checked, as the settings each command's runner takes (`verb` says what the command does live). */
export function modelCommandSettings(ctx: CliContext, flags: ModelCommandFlags, verb: string) {
  refuseLiveFlagsWithReplay(flags, verb);
  return {
    model: flags.model,
    config: flags.config,
    baseUrl: flags.baseUrl,
    replay: flags.replay ?? false,
    force: flags.force ?? false,
    answerRetries: parseWholeNumber(flags.answerRetries, '--answer-retries', 0),
    signal: interruptSignal(ctx),
  };
}

/** --replay reads recorded calls: a flag of a live call next to it is a mistake, said before anything runs. */
function refuseLiveFlagsWithReplay(flags: { replay?: boolean; force?: boolean; baseUrl?: string }, verb: string): void {
  if (flags.replay && (flags.force || flags.baseUrl))
    throw new UserError('--replay reads the recorded calls: it takes no --force or --base-url', `drop them, or ${verb} live without --replay`);
}
