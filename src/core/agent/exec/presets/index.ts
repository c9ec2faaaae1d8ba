import type { CliPreset } from './cli-preset.js';
import { codex } from './codex.js';
import { qwenCode } from './qwen-code.js';

export { PROMPT_FILE, type CliPreset } from './cli-preset.js';

/** The coding CLIs `--agent NAME` runs as exec agents. */
export const CLI_PRESETS: Readonly<Record<string, CliPreset>> = { [qwenCode.name]: qwenCode, [codex.name]: codex };

export function cliPreset(name: string): CliPreset | undefined {
  return Object.hasOwn(CLI_PRESETS, name) ? CLI_PRESETS[name] : undefined;
}
