import type { Command } from 'commander';
import { cacheLayout, defaultCacheDir, type CacheLayout } from '../core/paths.js';

/** What every command gets from the CLI edge: the environment is read here and nowhere in the core. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  /** Resolved from --cache (on any command), SPEEDRUN_CACHE, or the user's cache dir. */
  cache(): CacheLayout;
  /** Human progress and logs; stdout is kept for results (and --json). */
  log(message: string): void;
  out(text: string): void;
  json(value: unknown): void;
}

const CACHE_FLAG = '--cache <dir>';
const CACHE_HELP = 'cache folder for synced records, data and calibrations (default: $SPEEDRUN_CACHE or ~/.cache/speedrun)';

export function makeContext(program: Command, env: NodeJS.ProcessEnv): CliContext {
  let cacheFlag: string | undefined;
  // --cache is accepted before the command (`speedrun --cache D run`) and on it (`speedrun run --cache D`).
  program.option(CACHE_FLAG, CACHE_HELP);
  program.hook('preAction', (root, action) => {
    cacheFlag = action.opts<{ cache?: string }>().cache ?? root.opts<{ cache?: string }>().cache;
  });
  return {
    env,
    cache: () => cacheLayout(cacheFlag ?? defaultCacheDir(env)),
    log: (message) => process.stderr.write(`${message}\n`),
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    json: (value) => process.stdout.write(`${JSON.stringify(value)}\n`),
  };
}

/** Gives every runnable command the --cache flag; call once all commands are registered. */
export function addCacheFlagToCommands(command: Command): void {
  for (const sub of command.commands) {
    if (sub.commands.length === 0) sub.option(CACHE_FLAG, CACHE_HELP);
    else addCacheFlagToCommands(sub);
  }
}
