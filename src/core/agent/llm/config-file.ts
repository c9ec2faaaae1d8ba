/**
 * speedrun.config.yaml: named model profiles, an optional run budget and executor settings. Everything wrong in it is a
 * UserError that names the file and the exact field, so the user can fix it without guessing.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { BudgetLimits } from '../budget.js';
import { slurmConfigSchema } from '../../exec/slurm/config.js';
import { EDIT_FORMATS, type EditFormatName } from '../edits/edit-format.js';
import { ModelProfile, type ResolvedModel } from './model-profile.js';

export const SpeedrunConfig = z.strictObject({
  models: z.record(z.string(), ModelProfile).default({}),
  budget: BudgetLimits.optional(),
  /** Settings of the Slurm executor (partition, account, gres, container mode, ...). */
  slurm: slurmConfigSchema.optional(),
});
export type SpeedrunConfig = z.infer<typeof SpeedrunConfig>;

export const CONFIG_FILE_NAME = 'speedrun.config.yaml';

/** Reads and validates a config file. */
export async function loadConfig(path: string): Promise<SpeedrunConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UserError(
      `${path}: ${missing ? 'config file not found' : `cannot read config file: ${(error as Error).message}`}`,
      missing ? `create ${path}, or pass the path of an existing config` : undefined,
    );
  }
  return parseConfig(text, path);
}

/** Validates config text; `source` names it in errors. */
export function parseConfig(text: string, source: string): SpeedrunConfig {
  const document = parseDocument(text, { prettyErrors: true });
  const syntaxError = document.errors[0];
  if (syntaxError !== undefined) {
    throw new UserError(`${source}: not valid YAML: ${syntaxError.message}`, `fix the YAML syntax in ${source}`);
  }
  const data: unknown = document.toJS() ?? {};
  const parsed = SpeedrunConfig.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issuePath(issue.path)}: ${issue.message}`);
    throw new UserError(`${source}: ${problems.join('; ')}`, `fix ${problems.length > 1 ? 'these fields' : 'that field'} in ${source}`);
  }
  return parsed.data;
}

export interface ModelOverrides {
  baseUrl?: string;
  editFormat?: string;
}

/**
 * The profile `--model NAME` selects: the config's entry, or the defaults with NAME as the model id when
 * the config has none; command-line overrides win.
 */
export function resolveModel(config: SpeedrunConfig | null, name: string, overrides: ModelOverrides = {}): ResolvedModel {
  const profile = config?.models[name] ?? ModelProfile.parse({});
  const resolved: ResolvedModel = { ...profile, name, model: profile.model ?? name };
  if (overrides.baseUrl !== undefined) {
    if (!z.string().url().safeParse(overrides.baseUrl).success) {
      throw new UserError(`--base-url ${overrides.baseUrl} is not a URL`, 'pass a full URL such as http://localhost:8000/v1');
    }
    resolved.base_url = overrides.baseUrl;
  }
  if (overrides.editFormat !== undefined) resolved.edit_format = editFormat(overrides.editFormat);
  return resolved;
}

/** The API key for a model, from `env`; null for servers without authentication. */
export function resolveApiKey(model: ResolvedModel, env: Record<string, string | undefined>): string | null {
  if (model.api_key_env === null) return null;
  const key = env[model.api_key_env]?.trim();
  if (key === undefined || key === '') {
    throw new UserError(
      `model ${model.name} needs an API key in $${model.api_key_env}, which is not set`,
      `export ${model.api_key_env}=<your key>, or set api_key_env: null in the model's profile in ${CONFIG_FILE_NAME} if the server needs no key`,
    );
  }
  return key;
}

function editFormat(value: string): EditFormatName {
  const known = EDIT_FORMATS.find((format) => format === value);
  if (known === undefined) {
    throw new UserError(`--edit-format ${value} is not an edit format`, `use one of: ${EDIT_FORMATS.join(', ')}`);
  }
  return known;
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(top level)' : path.map(String).join('.');
}
