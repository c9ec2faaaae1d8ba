import { ModelProfile, type ResolvedModel } from './model-profile.js';

/** `--model sim/NAME` (or `llm:sim/NAME` in a bench): the simulated model, no endpoint, no key. */
export const SIM_MODEL_PREFIX = 'sim/';
/** Latency of each simulated LLM call in ms (default 0). */
export const SIM_LLM_LATENCY_ENV = 'SPEEDRUN_SIM_LLM_LATENCY_MS';

export function isSimModel(name: string | undefined): name is string {
  return name !== undefined && name.startsWith(SIM_MODEL_PREFIX) && name.length > SIM_MODEL_PREFIX.length;
}

/** The profile a simulated model is recorded with: whole-file edits, a base URL that names no host. */
export function simModel(name: string): ResolvedModel {
  return { ...ModelProfile.parse({ base_url: 'sim://model', api_key_env: null, edit_format: 'whole' }), name, model: name };
}

export function simLatencyMs(value: string | undefined): number {
  const ms = value === undefined || value.trim() === '' ? 0 : Number(value);
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`${SIM_LLM_LATENCY_ENV}=${value} is not a number of milliseconds ≥ 0`);
  return ms;
}
