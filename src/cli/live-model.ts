import type { ChatClient } from '../core/agent/llm/chat.js';
import type { ResolvedModel } from '../core/agent/llm/model-profile.js';
import { checkEndpoint, OpenAiChatClient } from '../core/agent/llm/openai-client.js';
import { UserError } from '../core/errors.js';
import { resolveLlmModel } from './agent-setup.js';
import type { CliContext } from './context.js';

export interface LiveModelFlags {
  model?: string;
  config?: string;
  baseUrl?: string;
  signal: AbortSignal;
}

/** A chat client of the model: what judge and ideas ask. */
export const chatClient = (model: ResolvedModel, apiKey: string | null): ChatClient => new OpenAiChatClient(model, apiKey);

/**
 * A command's model (`speedrun judge`, `speedrun ideas`, `speedrun distance`) as `--agent llm --model` resolves it,
 * with a client (`make`: chatClient, or another kind) that is made, and its endpoint checked, only when the first call is due: a
 * cached result never reaches the endpoint.
 */
export async function liveModel<C>(
  ctx: CliContext,
  flags: LiveModelFlags,
  command: string,
  describe: (model: ResolvedModel) => string,
  make: (model: ResolvedModel, apiKey: string | null) => C,
): Promise<{ model: ResolvedModel; client: () => Promise<C> }> {
  if (!flags.model)
    throw new UserError(`speedrun ${command} needs --model`, 'pass --model NAME: a profile in speedrun.config.yaml, or the model id the endpoint serves');
  const { model, apiKey } = await resolveLlmModel(ctx, { model: flags.model, config: flags.config, baseUrl: flags.baseUrl });
  let client: Promise<C> | null = null;
  const connect = async (): Promise<C> => {
    await checkEndpoint(model, apiKey, flags.signal);
    ctx.log(describe(model));
    return make(model, apiKey);
  };
  return {
    model,
    client: () => {
      client ??= connect();
      return client;
    },
  };
}
