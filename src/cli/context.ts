import type { Command } from 'commander';
import { cacheLayout, defaultCacheDir, type CacheLayout } from '../core/paths.js';

/** What every command gets from the CLI edge: the environment is read here and nowhere in the core. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  /** Resolved from the global --cache flag, SPEEDRUN_CACHE, or the user's cache dir. */
  cache(): CacheLayout;
  /** Human progress and logs; stdout is kept for results (and --json). */
  log(message: string): void;
  out(text: string): void;
  json(value: unknown): void;
}

export function makeContext(program: Command, env: NodeJS.ProcessEnv): CliContext {
  return {
    env,
    cache: () => {
      const flag = program.opts<{ cache?: string }>().cache;
      return cacheLayout(flag ?? defaultCacheDir(env));
    },
    log: (message) => process.stderr.write(`${message}\n`),
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    json: (value) => process.stdout.write(`${JSON.stringify(value)}\n`),
  };
}
