import { UserError } from '../../errors.js';
import { ModelProfile, type ResolvedModel } from './model-profile.js';

/**
 * The model settings a recorded run used, rebuilt from its run.json agent_config, so a replay parses answers with
 * the same edit format and retry count and renders the same prompt version. No endpoint or key is involved.
 */
export function replayModel(agentConfig: Record<string, unknown>, source: string): { model: ResolvedModel; promptVersion: string } {
  const { name, model, model_id, edit_format, edit_retries, summarize_logs, prompt_version } = agentConfig;
  if ((name !== 'llm' && name !== 'replay') || typeof model !== 'string' || typeof prompt_version !== 'string') {
    throw new UserError(`${source} is not a run of the llm agent`, 'replay a run made with --agent llm');
  }
  const profile = ModelProfile.safeParse({
    model: typeof model_id === 'string' ? model_id : model,
    api_key_env: null,
    edit_format,
    edit_retries,
    summarize_logs,
  });
  if (!profile.success) throw new UserError(`${source}: the recorded agent settings are damaged (${profile.error.issues[0]?.message})`, 'replay another run');
  return { model: { ...profile.data, name: model, model: profile.data.model ?? model }, promptVersion: prompt_version };
}
