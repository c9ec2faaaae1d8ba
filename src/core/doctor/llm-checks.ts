/**
 * --agent llm: the model's profile, its API key and its endpoint, resolved exactly as `speedrun run` resolves
 * them, so a passing doctor means the run will not stop at its preflight.
 */
import { CONFIG_FILE_NAME, resolveApiKey, resolveModel } from '../agent/llm/config-file.js';
import type { ResolvedModel } from '../agent/llm/model-profile.js';
import { checkEndpoint } from '../agent/llm/openai-client.js';
import { UserError } from '../errors.js';
import { failFromError, ok, skip, warn, type Verdict } from './check.js';
import type { DoctorCheck, DoctorContext } from './context.js';

interface ModelAndKey {
  model: ResolvedModel;
  key: string | null;
}

const MODEL_FIX = `pass --model NAME: a profile in ${CONFIG_FILE_NAME}, or the model id the endpoint serves`;
const LLM_ONLY = (ctx: DoctorContext) => (ctx.config.agent === 'llm' ? null : 'only for --agent llm');
/** Both checks need the profile and key; resolve them once per doctor run. */
const resolved = new WeakMap<DoctorContext, Promise<ModelAndKey>>();

function modelAndKey(ctx: DoctorContext): Promise<ModelAndKey> {
  let promise = resolved.get(ctx);
  if (promise === undefined) {
    promise = (async () => {
      const { model: name, baseUrl } = ctx.config;
      if (!name) throw new UserError('--agent llm needs --model', MODEL_FIX);
      const model = resolveModel(await ctx.deps.loadModelConfig(), name, { baseUrl });
      return { model, key: resolveApiKey(model, ctx.deps.env) };
    })();
    resolved.set(ctx, promise);
  }
  return promise;
}

export const llmKeyCheck: DoctorCheck = {
  id: 'llm-key',
  title: 'LLM model and key',
  irrelevant: LLM_ONLY,
  run: async (ctx) => {
    try {
      const { model, key } = await modelAndKey(ctx);
      const auth = key === null ? 'no key needed (api_key_env: null)' : `key in $${model.api_key_env}`;
      return ok(`${model.name}: ${model.model} at ${model.base_url}, ${auth}`);
    } catch (error) {
      return failFromError(error, MODEL_FIX);
    }
  },
};

export const llmEndpointCheck: DoctorCheck = {
  id: 'llm-endpoint',
  title: 'LLM endpoint',
  irrelevant: LLM_ONLY,
  run: async (ctx) => {
    let model: ModelAndKey;
    try {
      model = await modelAndKey(ctx);
    } catch {
      return skip('needs the model and its key first (see the llm-key check)');
    }
    return endpointVerdict(model);
  },
};

async function endpointVerdict({ model, key }: ModelAndKey): Promise<Verdict> {
  try {
    const answer = await checkEndpoint(model, key);
    const where = `${model.base_url} answered GET /models (HTTP ${answer.status})`;
    if (answer.models !== null && answer.models.length > 0 && !answer.models.includes(model.model)) {
      return warn(
        `${where}, but does not list ${model.model} (it lists ${answer.models.slice(0, 5).join(', ')}${answer.models.length > 5 ? ', …' : ''})`,
        "check the model id: --model, or the profile's model field",
      );
    }
    return ok(where);
  } catch (error) {
    return failFromError(error, `is the server running at ${model.base_url}? pass --base-url or set base_url in the model's profile`);
  }
}
