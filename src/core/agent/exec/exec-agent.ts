/**
 * `--agent exec --agent-cmd CMD`: any program as the agent (docs/agent-protocol.md). For each node the harness
 * makes a workspace with the parent's script and the task, runs CMD in it, and takes back train_gpt.py; the
 * harness alone trains and measures it. The program reaches the model only through the run's model proxy, with
 * a per-run token: every call is recorded under the node and counted against the run's budgets.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { LlmCallRecord } from '../../store/call-record.js';
import { AGENT_DIRS, NODE_FILES, nodeDirOf } from '../../store/layout.js';
import type { LlmUsage } from '../../store/schema.js';
import type { Agent, AgentDescription, CallStreamListener, ProposeInput, Proposal } from '../agent.js';
import type { BudgetExhaustedError, LlmBudget } from '../budget.js';
import { abortError } from '../llm/retry.js';
import { LocalSandbox, type AgentPlaces, type AgentSandbox } from './sandbox.js';
import { AGENT_ENV, prepareWorkspace, WORKSPACE_FILES, type Workspace } from './workspace.js';

/**
 * The run's proxy as an exec agent uses it (agent/proxy/model-proxy.ts): where the agent calls the model and asks
 * for experiments, and which node's calls and experiments they are.
 */
export interface AgentProxy {
  readonly url: string;
  /** The Unix socket the proxy also listens on: a containerised agent reaches the model through it (sandbox.ts). */
  readonly socketPath?: string | null;
  readonly token: string;
  attach(
    sink: {
      node: number;
      onCall?: (call: LlmCallRecord) => void;
      onStream?: CallStreamListener;
      signal?: AbortSignal;
      experiment?: ProposeInput['experiment'];
    } | null,
  ): void;
  /** Set once a call was refused because the run's budget is spent. */
  readonly exhausted: BudgetExhaustedError | null;
}

export interface ExecAgentOptions {
  command: string;
  /** Per node, for the whole command. */
  timeoutMs: number;
  budget: LlmBudget;
  /** The run's proxy: the model (when the run has one) and experiments. Without one the agent gets neither. */
  proxy: AgentProxy | null;
  /** The model profile the proxy serves, for the run's record; null for a run without a model. */
  model: string | null;
  /** Variables of the harness's environment passed on by name (config `env:`); nothing else is inherited. */
  passEnv: readonly string[];
  environment?: NodeJS.ProcessEnv;
  /** Where the command runs; default: here, as this user (LocalSandbox). */
  sandbox?: AgentSandbox;
  /** A coding CLI preset (presets/): its name, what the run records of it, and its fixed variables. */
  name?: string;
  describe?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Runs once the workspace is made, before the command: a preset writes its prompt and configuration. */
  prepare?: (input: ProposeInput, workspace: Workspace) => Promise<void>;
}

/** An exec agent's time per node unless its config says otherwise: a coding CLI may take many model calls. */
export const EXEC_AGENT_TIMEOUT_S = 3_600;

const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/** The longest notes.md kept as a node's note; the whole file stays in the workspace. */
const NOTE_LIMIT = 2_000;

export class ExecAgent implements Agent {
  readonly name: string;
  private readonly sandbox: AgentSandbox;

  constructor(private readonly opts: ExecAgentOptions) {
    this.name = opts.name ?? 'exec';
    this.sandbox = opts.sandbox ?? new LocalSandbox((opts.environment ?? process.env).PATH ?? DEFAULT_PATH);
  }

  describe(): AgentDescription {
    return {
      name: this.name,
      cmd: this.opts.command,
      timeout_s: this.opts.timeoutMs / 1000,
      model: this.opts.model,
      pass_env: [...this.opts.passEnv],
      // 'none (local)': trusted, the command runs as this user on this machine (docs/agent-protocol.md, "Sandbox").
      sandbox: this.sandbox.description,
      ...this.opts.describe,
    };
  }

  checkBudget(): void {
    this.opts.budget.check();
  }

  restoreUsage(usage: LlmUsage): void {
    this.opts.budget.preload(usage);
  }

  async propose(input: ProposeInput): Promise<Proposal> {
    this.checkBudget();
    const proxy = this.opts.proxy;
    const budget = { limits: this.opts.budget.limits, used: this.opts.budget.totals() };
    const workspace = await prepareWorkspace(input, budget, { experiments: proxy !== null });
    const nodeDir = nodeDirOf(input.runDir, input.node);
    await this.opts.prepare?.(input, workspace);
    proxy?.attach({ node: input.node, onCall: input.onCall, onStream: input.onStream, signal: input.signal, experiment: input.experiment });
    let ran;
    try {
      ran = await this.sandbox.run({
        command: this.opts.command,
        runId: basename(input.runDir),
        node: input.node,
        workspace: workspace.dir,
        env: this.environment(input.node, this.sandbox.places(workspace.dir, proxy)),
        model: proxy,
        timeoutMs: this.opts.timeoutMs,
        stdoutPath: join(nodeDir, NODE_FILES.agentStdout),
        stderrPath: join(nodeDir, NODE_FILES.agentStderr),
        signal: input.signal,
      });
    } finally {
      proxy?.attach(null);
    }
    if (ran.aborted) throw abortError();
    const tail = ran.stderrTail.trim() ? `; its stderr ends:\n${ran.stderrTail.trim()}` : '';
    const logs = `(${AGENT_DIRS.workspace}/ and ${NODE_FILES.agentStderr} under node ${input.node} hold the rest)`;
    if (ran.timedOut) return failed(`the agent command did not finish within ${this.opts.timeoutMs / 1000} s${tail} ${logs}`);
    if (ran.exitCode !== 0) {
      const how = ran.exitCode === null ? `was killed by ${ran.signal ?? 'a signal'}` : `exited with code ${ran.exitCode}`;
      // A call refused for budget ends the run once this node is on record (the engine checks before the next).
      return failed(`the agent command ${how}${proxy?.exhausted ? ` after the run's LLM budget ran out (${proxy.exhausted.reason})` : ''}${tail} ${logs}`);
    }
    const script = await readFile(join(workspace.dir, WORKSPACE_FILES.script), 'utf8').catch(() => null);
    if (script === null) return failed(`the agent command exited 0 but left no ${WORKSPACE_FILES.script} in its workspace ${logs}`);
    const notes = (await readFile(join(workspace.dir, WORKSPACE_FILES.notes), 'utf8').catch(() => '')).trim();
    const unchanged = script === input.parentScript;
    const note = notes
      ? notes.slice(0, NOTE_LIMIT)
      : unchanged
        ? 'left the script unchanged'
        : `changed ${WORKSPACE_FILES.script} (no ${WORKSPACE_FILES.notes})`;
    return { ok: true, script, note };
  }

  /** A plain environment: the proxy, the workspace, PATH, HOME, LANG, and the variables the config names. */
  private environment(node: number, places: AgentPlaces): Record<string, string> {
    const outside = this.opts.environment ?? process.env;
    const env: Record<string, string> = { PATH: places.path, HOME: places.home, LANG: 'C.UTF-8', ...this.opts.env };
    for (const name of this.opts.passEnv) {
      const value = outside[name];
      if (value !== undefined) env[name] = value;
    }
    env[AGENT_ENV.workspace] = places.workspace;
    env[AGENT_ENV.node] = String(node);
    if (this.opts.proxy && places.baseUrl !== null) {
      env[AGENT_ENV.baseUrl] = places.baseUrl;
      env[AGENT_ENV.apiKey] = this.opts.proxy.token;
    }
    return env;
  }
}

function failed(message: string): Proposal {
  return { ok: false, status: 'agent-failed', message };
}
