import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codex } from '../src/core/agent/exec/presets/codex.js';
import { cliPrompt } from '../src/core/agent/exec/presets/cli-prompt.js';
import { installCli, locateCli } from '../src/core/agent/exec/presets/locate-cli.js';
import { qwenCode } from '../src/core/agent/exec/presets/qwen-code.js';
import { loadPromptSet } from '../src/core/agent/prompts.js';
import { UserError } from '../src/core/errors.js';
import { parseAgentList } from '../src/cli/agent-list.js';
import { draftInput } from './helpers/agent-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const quiet = () => undefined;

describe('coding CLI presets', () => {
  it('tell the CLI the built-in agent’s task and rules, with the workspace in place of an edit format', async () => {
    const input = await draftInput({ hint: 'Try a larger learning rate.' });
    const prompt = cliPrompt(await loadPromptSet(), input, { experiments: true });
    expect(prompt).toContain('Rules a valid solution keeps');
    expect(prompt).toContain('Try a larger learning rate.');
    expect(prompt).toContain('Edit ./train_gpt.py in place');
    expect(prompt).toContain('./speedrun-tool train');
    // No edit format of the built-in agent: the CLI edits the file itself.
    expect(prompt).not.toContain('single ```python fenced block');
    expect(cliPrompt(await loadPromptSet(), input, { experiments: false })).not.toContain('speedrun-tool');
  });

  it('configure the CLI for the proxy alone, with no key and nothing that calls out', async () => {
    const home = await tempDir('preset-home');
    await qwenCode.configure(home, 'm1');
    const settings = JSON.parse(await readFile(join(home, '.qwen', 'settings.json'), 'utf8'));
    expect(settings).toMatchObject({
      general: { enableAutoUpdate: false },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
      security: { auth: { selectedType: 'openai' } },
      model: { name: 'm1' },
    });
    expect(qwenCode.env()).toMatchObject({ QWEN_TELEMETRY_ENABLED: 'false', QWEN_USAGE_STATISTICS_ENABLED: 'false' });
    await codex.configure(home, 'm1');
    const toml = await readFile(join(home, '.codex', 'config.toml'), 'utf8');
    expect(toml).toContain('model_provider = "speedrun"');
    expect(toml).toContain('env_key = "OPENAI_API_KEY"');
    expect(toml).toContain('wire_api = "responses"');
    expect(toml).toMatch(/\[analytics\]\nenabled = false/);
    expect(toml).not.toMatch(/sk-/);
  });

  it('quote the model and the CLI path for the shell, and read the prompt from the workspace', () => {
    const command = qwenCode.command('/opt/my cli/qwen', "it's");
    expect(command).toContain(`'/opt/my cli/qwen'`);
    expect(command).toContain(`'it'\\''s'`);
    expect(command).toMatch(/< prompt\.md$/);
    // The proxy's address comes from the environment the exec agent sets, never written into the command.
    expect(codex.command('/bin/codex', 'm')).toContain('"model_providers.speedrun.base_url=\\"$OPENAI_BASE_URL\\""');
  });

  it('take an explicit CLI only when it is an executable file', async () => {
    const dir = await tempDir('preset-cli');
    const script = join(dir, 'qwen');
    await writeFile(script, '#!/bin/sh\n');
    await expect(locateCli(qwenCode, { explicit: script, cacheRoot: dir, env: {}, log: quiet })).rejects.toThrow(/not an executable file/);
    await chmod(script, 0o755);
    expect(await locateCli(qwenCode, { explicit: script, cacheRoot: dir, env: {}, log: quiet })).toBe(script);
  });

  it('say so clearly when npm is missing', async () => {
    const dir = await tempDir('preset-npm');
    const error = await installCli(qwenCode, dir, { PATH: dir }, quiet).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/npm is not on PATH/);
  });

  it("are named with their model in a bench's --agents list, like llm", () => {
    expect(parseAgentList('codex:m1,qwen-code,llm:m2,reference')).toEqual([
      { name: 'codex', model: 'm1' },
      'qwen-code',
      { name: 'llm', model: 'm2' },
      'reference',
    ]);
  });
});
