import type { Command } from 'commander';
import { cliPreset } from '../core/agent/exec/presets/index.js';
import type { SingleCell } from '../core/plan/plan-runs.js';
import { splitList } from './agent-list.js';
import { parsePositiveInt } from './options.js';

/** The flags that choose one agent and its settings, shared by `run` and `chain` (each runs one configuration). */
export interface AgentFlags {
  agent: string;
  model?: string;
  baseUrl?: string;
  editFormat?: string;
  replay?: string;
  agentCmd?: string;
  agentCli?: string;
  agentTimeout: string;
  agentImage?: string;
  agentEnv?: string;
}

export function addAgentOptions(command: Command): Command {
  return command
    .option(
      '--agent <name>',
      'reference (applies record N+1) | null (changes nothing) | llm (an OpenAI-compatible model) | replay (a recorded llm run) | exec (your own program: docs/agent-protocol.md)',
      'reference',
    )
    .option('--model <name>', 'llm: a model profile in speedrun.config.yaml, or the model id the endpoint serves')
    .option('--base-url <url>', "llm: the OpenAI-compatible endpoint (overrides the profile's base_url)")
    .option('--edit-format <format>', "llm: search-replace | udiff | whole (overrides the profile's)")
    .option('--replay <run-dir>', 'replay: the run folder whose recorded LLM answers to re-issue')
    .option('--agent-cmd <command>', "exec: the command run in each node's workspace (it edits train_gpt.py there)")
    .option('--agent-cli <path>', 'coding CLI presets (qwen-code): the CLI to run (default: the tested version, installed under the cache)')
    .option('--agent-timeout <seconds>', 'exec: time limit of the command for one node', String(3600))
    .option('--agent-image <tag>', 'exec with --executor docker: the image the command runs in (default speedrun/agent:1)')
    .option('--agent-env <names>', 'exec: comma-separated variables of this environment passed on to the command (nothing else is)');
}

/** The agent of the flags, as a cell's agent entry (exec settings only for exec agents and coding CLI presets). */
export function agentOfFlags(flags: AgentFlags): SingleCell['agent'] {
  return {
    name: flags.agent,
    model: flags.model,
    base_url: flags.baseUrl,
    edit_format: flags.editFormat,
    replay: flags.replay,
    ...((flags.agent === 'exec' || cliPreset(flags.agent)) && {
      cmd: flags.agentCmd,
      cli: flags.agentCli,
      timeout_s: parsePositiveInt(flags.agentTimeout, '--agent-timeout'),
      ...(flags.agentEnv && { env: splitList(flags.agentEnv) }),
      ...(flags.agentImage && { image: flags.agentImage }),
    }),
  };
}
