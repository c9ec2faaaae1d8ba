/**
 * Where an exec agent's command runs: on this machine as this user (trusted agents), or in a container
 * (docker-agent-command.ts). Both give the same result, so the exec agent judges a node the same way either way.
 */
import { join } from 'node:path';
import { runAgentCommand, type AgentCommandResult } from './agent-command.js';
import { WORKSPACE_FILES } from './workspace.js';

/** The paths and URL the command sees: host paths locally, fixed paths inside a container. */
export interface AgentPlaces {
  workspace: string;
  home: string;
  path: string;
  /** OPENAI_BASE_URL as the command reaches the model proxy; null without a model. */
  baseUrl: string | null;
}

/** The run's model proxy, as a sandbox reaches it: its loopback URL, and the Unix socket a container mounts. */
export interface ProxyEndpoint {
  url: string;
  socketPath?: string | null;
}

export interface SandboxedCommand {
  /** A shell command line, run with `sh -c` in the workspace. */
  command: string;
  runId: string;
  node: number;
  /** The workspace on this machine. */
  workspace: string;
  /** The whole environment the command gets, in the sandbox's places. */
  env: Record<string, string>;
  model: ProxyEndpoint | null;
  timeoutMs: number;
  stdoutPath: string;
  stderrPath: string;
  signal?: AbortSignal;
}

export interface AgentSandbox {
  /** How the run's description (agent_config.sandbox) names it. */
  readonly description: string;
  places(workspace: string, model: ProxyEndpoint | null): AgentPlaces;
  run(command: SandboxedCommand): Promise<AgentCommandResult>;
}

/** No sandbox: the command runs here as this user, for agents the user trusts (docs/agent-protocol.md, "Sandbox"). */
export class LocalSandbox implements AgentSandbox {
  readonly description = 'none (local)';

  constructor(private readonly path: string) {}

  places(workspace: string, model: ProxyEndpoint | null): AgentPlaces {
    return { workspace, home: join(workspace, WORKSPACE_FILES.home), path: this.path, baseUrl: model?.url ?? null };
  }

  run(cmd: SandboxedCommand): Promise<AgentCommandResult> {
    return runAgentCommand({
      command: cmd.command,
      cwd: cmd.workspace,
      env: cmd.env,
      timeoutMs: cmd.timeoutMs,
      stdoutPath: cmd.stdoutPath,
      stderrPath: cmd.stderrPath,
      signal: cmd.signal,
    });
  }
}
