import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../src/core/errors.js';
import { loadConfig, resolveApiKey, resolveModel } from '../src/core/agent/llm/config-file.js';
import { callCost } from '../src/core/agent/llm/cost.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const TWO_PROFILES = `
models:
  o3-mini:
    max_tokens_field: max_completion_tokens
    reasoning_effort: high
    prices: { input_per_million: 1.1, output_per_million: 4.4 }
  local:
    base_url: http://localhost:8000/v1
    model: Qwen/Qwen2.5-Coder-7B-Instruct
    api_key_env: null
    temperature: 0.2
    extra_body: { top_k: 20 }
budget:
  max_calls: 50
  max_dollars: 2.5
`;

async function configFile(text: string): Promise<string> {
  const path = join(await tempDir('llm-config'), 'speedrun.config.yaml');
  await writeFile(path, text);
  return path;
}

async function userError(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('loadConfig and resolveModel', () => {
  it('resolves two profiles, filling in defaults and the model id from the name', async () => {
    const config = await loadConfig(await configFile(TWO_PROFILES));
    expect(config.budget).toEqual({ max_calls: 50, max_dollars: 2.5 });

    const o3 = resolveModel(config, 'o3-mini');
    expect(o3).toMatchObject({
      name: 'o3-mini',
      model: 'o3-mini',
      base_url: 'https://api.openai.com/v1',
      api_key_env: 'OPENAI_API_KEY',
      max_tokens_field: 'max_completion_tokens',
      reasoning_effort: 'high',
      timeout_s: 600,
      max_retries: 4,
      edit_format: 'search-replace',
      extra_body: {},
      extra_headers: {},
      prices: { input_per_million: 1.1, output_per_million: 4.4 },
    });
    expect(o3.temperature).toBeUndefined();

    expect(resolveModel(config, 'local')).toMatchObject({
      name: 'local',
      model: 'Qwen/Qwen2.5-Coder-7B-Instruct',
      base_url: 'http://localhost:8000/v1',
      api_key_env: null,
      temperature: 0.2,
      extra_body: { top_k: 20 },
    });
  });

  it('gives a model name not in the config the default profile, with the name as model id', async () => {
    const config = await loadConfig(await configFile(TWO_PROFILES));
    for (const resolved of [resolveModel(config, 'gpt-4.1'), resolveModel(null, 'gpt-4.1')]) {
      expect(resolved).toMatchObject({ name: 'gpt-4.1', model: 'gpt-4.1', base_url: 'https://api.openai.com/v1', max_retries: 4 });
    }
  });

  it('lets --base-url and --edit-format override the profile, and rejects bad values', () => {
    const resolved = resolveModel(null, 'm', { baseUrl: 'http://127.0.0.1:9000/v1', editFormat: 'udiff' });
    expect(resolved.base_url).toBe('http://127.0.0.1:9000/v1');
    expect(resolved.edit_format).toBe('udiff');
    expect(() => resolveModel(null, 'm', { baseUrl: 'localhost' })).toThrow(UserError);
    expect(() => resolveModel(null, 'm', { editFormat: 'patch' })).toThrow(/--edit-format patch/);
  });

  it('names the file and the path of a field with the wrong type', async () => {
    const path = await configFile('models:\n  o3-mini:\n    temperature: hot\n');
    const error = await userError(loadConfig(path));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/models\.o3-mini\.temperature: .*expected number/);
  });

  it('names a misspelt field', async () => {
    const error = await userError(loadConfig(await configFile('models:\n  local:\n    temprature: 0.2\n')));
    expect(error.message).toMatch(/models\.local: .*"temprature"/);
  });

  it('names the budget field that is wrong', async () => {
    const error = await userError(loadConfig(await configFile('models: {}\nbudget:\n  max_calls: -1\n')));
    expect(error.message).toContain('budget.max_calls');
  });

  it('turns a YAML syntax error into a UserError naming the file', async () => {
    const path = await configFile('models:\n  o3-mini: { temperature: 0.2\n');
    const error = await userError(loadConfig(path));
    expect(error.message).toContain(`${path}: not valid YAML`);
    expect(error.fix).toContain(path);
  });

  it('says so when the file does not exist', async () => {
    const path = join(await tempDir('llm-config'), 'absent.yaml');
    const error = await userError(loadConfig(path));
    expect(error.message).toBe(`${path}: config file not found`);
  });

  it('accepts an empty file as a config without profiles', async () => {
    expect(await loadConfig(await configFile(''))).toEqual({ models: {} });
  });
});

describe('resolveApiKey', () => {
  const model = resolveModel(null, 'gpt-4.1');

  it('reads the key from the named env var', () => {
    expect(resolveApiKey(model, { OPENAI_API_KEY: 'sk-abc' })).toBe('sk-abc');
  });

  it.each([undefined, '', '   '])('is a UserError (exit 2) when the variable is %j', (value) => {
    let error: unknown;
    try {
      resolveApiKey(model, { OPENAI_API_KEY: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toContain('$OPENAI_API_KEY');
    expect((error as UserError).fix).toContain('export OPENAI_API_KEY=');
    expect((error as UserError).fix).toContain('api_key_env: null');
  });

  it('is null for servers without authentication', () => {
    const local = { ...model, api_key_env: null };
    expect(resolveApiKey(local, { OPENAI_API_KEY: 'sk-unused' })).toBeNull();
  });
});

describe('callCost', () => {
  const prices = { input_per_million: 2.5, output_per_million: 10 };

  it('prices prompt and completion tokens per million', () => {
    expect(callCost({ prompt_tokens: 1000, completion_tokens: 500 }, prices)).toBe(0.0075);
    expect(callCost({ prompt_tokens: 2_000_000, completion_tokens: 0 }, prices)).toBe(5);
  });

  it('is null without usage or without prices', () => {
    expect(callCost(null, prices)).toBeNull();
    expect(callCost({ prompt_tokens: 1, completion_tokens: 1 })).toBeNull();
  });
});
