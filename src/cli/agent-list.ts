import { cliPreset } from '../core/agent/exec/presets/index.js';
import type { AgentEntry } from '../core/bench/bench-spec.js';

/** `reference`, `null`, `llm:o3-mini` (an LLM agent with that model), `replay:RUN_DIR`, `codex:o3-mini` (a coding CLI with that model). */
export function parseAgentList(list: string): AgentEntry[] {
  return splitList(list).map((item) => {
    const [name, arg] = splitOnce(item, ':');
    if (name === 'llm' || cliPreset(name)) return arg ? { name, model: arg } : name;
    if (name === 'replay') return arg ? { name, replay: arg } : name;
    return item;
  });
}

export function splitList(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
