import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PromptSet } from '../../prompts.js';
import type { ExecAgentOptions } from '../exec-agent.js';
import { PROMPT_FILE, type CliPreset } from './cli-preset.js';
import { cliPrompt } from './cli-prompt.js';
import { WORKSPACE_FILES } from '../workspace.js';

/**
 * The exec agent's options for a coding CLI: its command, its fixed variables, and a step before each node that
 * writes the prompt into the workspace and the CLI's configuration into its HOME.
 */
export function presetAgentOptions(
  preset: CliPreset,
  opts: { cli: string; model: string; prompts: PromptSet; experiments: boolean },
): Pick<ExecAgentOptions, 'name' | 'command' | 'describe' | 'env' | 'prepare'> {
  return {
    name: preset.name,
    command: preset.command(opts.cli, opts.model),
    describe: {
      cli: { package: preset.package, version: preset.version, api: preset.apiStyle },
      prompt_version: opts.prompts.version,
      prompt_sha256: opts.prompts.sha256,
    },
    env: preset.env(),
    async prepare(input, workspace) {
      await Promise.all([
        writeFile(join(workspace.dir, PROMPT_FILE), cliPrompt(opts.prompts, input, { experiments: opts.experiments })),
        preset.configure(join(workspace.dir, WORKSPACE_FILES.home), opts.model),
      ]);
    },
  };
}
