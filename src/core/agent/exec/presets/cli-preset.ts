/**
 * A coding CLI as the agent (docs/agent-protocol.md, "Coding CLIs"): an exec agent whose command the harness
 * builds. The preset says which npm package holds the CLI, how to point it at the run's proxy and nothing else,
 * and how to run it on one prompt without asking anyone.
 */
export interface CliPreset {
  /** The --agent name. */
  readonly name: string;
  /** The npm package and the version tested with this harness (installed when no CLI is given). */
  readonly package: string;
  readonly version: string;
  /** The executable under node_modules/.bin. */
  readonly bin: string;
  /** The API the CLI speaks to the proxy. */
  readonly apiStyle: 'chat completions' | 'responses';
  /** The shell command run in the workspace; the prompt is in PROMPT_FILE there. */
  command(cli: string, model: string): string;
  /** Variables the CLI gets on top of the exec agent's plain environment (never a key). */
  env(): Record<string, string>;
  /** Writes the CLI's configuration into the agent's HOME: the proxy only, no telemetry, no update checks. */
  configure(home: string, model: string): Promise<void>;
}

/** The prompt's file in the workspace (kept there with the rest of the node's work). */
export const PROMPT_FILE = 'prompt.md';

/** Single-quotes a word for `sh -c`. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
