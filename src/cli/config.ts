import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_FILE_NAME, loadConfig, type SpeedrunConfig } from '../core/agent/llm/config-file.js';
import type { CliContext } from './context.js';

/** --config, else $SPEEDRUN_CONFIG, else ./speedrun.config.yaml when it exists; no config is fine. */
export async function findConfig(ctx: CliContext, flag: string | undefined): Promise<SpeedrunConfig | null> {
  const explicit = flag ?? ctx.env.SPEEDRUN_CONFIG;
  if (explicit) return loadConfig(resolve(explicit));
  return existsSync(CONFIG_FILE_NAME) ? loadConfig(resolve(CONFIG_FILE_NAME)) : null;
}
