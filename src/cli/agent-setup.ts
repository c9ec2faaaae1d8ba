import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { PlannedAgent } from '../core/plan/run-inputs.js';
import { BudgetLimits, LlmBudget } from '../core/agent/budget.js';
import { BUILTIN_AGENTS, builtinAgent } from '../core/agent/builtin.js';
import { editFormat } from '../core/agent/edits/index.js';
import Docker from 'dockerode';
import { DockerAgentSandbox, type DockerAgentSandboxOptions } from '../core/agent/exec/docker-agent-command.js';
import { EXEC_AGENT_TIMEOUT_S, ExecAgent, type ExecAgentOptions } from '../core/agent/exec/exec-agent.js';
import { CLI_PRESETS, cliPreset, type CliPreset } from '../core/agent/exec/presets/index.js';
import { cliMount } from '../core/agent/exec/presets/cli-mount.js';
import { locateCli } from '../core/agent/exec/presets/locate-cli.js';
import { presetAgentOptions } from '../core/agent/exec/presets/preset-agent.js';
import { toDockerError } from '../core/exec/docker/docker-errors.js';
import { AGENT_IMAGE } from '../core/exec/docker/images.js';
import { LlmAgent } from '../core/agent/llm-agent.js';
import { CONFIG_FILE_NAME, resolveApiKey, resolveModel, type SpeedrunConfig } from '../core/agent/llm/config-file.js';
import type { ResolvedModel } from '../core/agent/llm/model-profile.js';
import { findConfig } from './config.js';
import { checkEndpoint, OpenAiChatClient } from '../core/agent/llm/openai-client.js';
import { loadRecordedCalls, ReplayChatClient } from '../core/agent/llm/replay-client.js';
import { replayModel } from '../core/agent/llm/replay-model.js';
import { SimChatClient } from '../core/agent/llm/sim-client.js';
import { isSimModel, SIM_LLM_LATENCY_ENV, simLatencyMs, simModel } from '../core/agent/llm/sim-model.js';
import { loadPromptSet } from '../core/agent/prompts.js';
import { ModelProxy } from '../core/agent/proxy/model-proxy.js';
import { UserError } from '../core/errors.js';
import { RUN_FILE } from '../core/store/layout.js';
import { readRunFile } from '../core/store/run-store.js';
import { revealsTargetTime } from '../core/store/schema.js';
import type { CliContext } from './context.js';

export const AGENT_NAMES = [...BUILTIN_AGENTS, 'llm', 'replay', 'exec', ...Object.keys(CLI_PRESETS)] as const;

export interface AgentFlags {
  agent: string;
  model?: string;
  baseUrl?: string;
  editFormat?: string;
  config?: string;
  replay?: string;
  /** exec: the command, its time limit per node (seconds) and the variables passed on by name. */
  cmd?: string;
  agentTimeoutS?: number;
  passEnv?: string[];
  /** exec: the run's executor (docker runs the command in a container too) and the agent container's image. */
  executor?: string;
  image?: string;
  /** A coding CLI preset: the CLI's path (default: installed under the cache). */
  cli?: string;
  /** The prompt set of a run being resumed, so its later nodes get the prompts its earlier ones did (default: the current). */
  promptVersion?: string;
}

/** The agent as the core planner takes it (core/plan/run-inputs.ts). */
export type PreparedAgent = PlannedAgent;

/**
 * Builds the agent a command asked for. For `llm` everything that can fail fast does so here, before any data or
 * training: the config file, the API key (exit 2) and whether the endpoint answers at all (exit 3).
 */
export async function prepareAgent(ctx: CliContext, flags: AgentFlags, budget: BudgetLimits, signal?: AbortSignal): Promise<PreparedAgent> {
  if (flags.agent === 'llm') return prepareLlmAgent(ctx, flags, budget, signal);
  if (flags.agent === 'replay') return prepareReplayAgent(flags, budget);
  if (flags.agent === 'exec') return prepareExecAgent(ctx, flags, budget, signal);
  const preset = cliPreset(flags.agent);
  if (preset) return preparePresetAgent(ctx, preset, flags, budget, signal);
  if ((BUILTIN_AGENTS as readonly string[]).includes(flags.agent)) return { agent: builtinAgent(flags.agent, ctx.cache()), model: null, budget: {} };
  throw new UserError(`unknown agent '${flags.agent}'`, `use one of: ${AGENT_NAMES.join(', ')}`);
}

async function prepareLlmAgent(ctx: CliContext, flags: AgentFlags, overrides: BudgetLimits, signal?: AbortSignal): Promise<PreparedAgent> {
  if (!flags.model) {
    throw new UserError('--agent llm needs --model', `pass --model NAME: a profile in ${CONFIG_FILE_NAME}, or the model id the endpoint serves`);
  }
  if (isSimModel(flags.model)) return prepareSimAgent(ctx, flags.model, flags.promptVersion, overrides);
  const { config, model, apiKey } = await resolveLlmModel(ctx, { ...flags, model: flags.model });
  const budget = { ...config?.budget, ...overrides };
  if (budget.max_dollars !== undefined && !model.prices) {
    throw new UserError(
      `--max-dollars needs prices for model ${model.name}`,
      `add prices: { input_per_million: …, output_per_million: … } to its profile in ${CONFIG_FILE_NAME}`,
    );
  }
  await checkEndpoint(model, apiKey, signal);
  ctx.log(`agent: llm, model ${model.name} (${model.model} at ${model.base_url}), edit format ${model.edit_format}`);
  const agent = new LlmAgent({
    name: 'llm',
    client: new OpenAiChatClient(model, apiKey),
    model,
    editFormat: editFormat(model.edit_format),
    prompts: await loadPromptSet(flags.promptVersion),
    budget: new LlmBudget(budget),
  });
  return { agent, model: model.name, budget };
}

/**
 * The profile `--model NAME` selects (from --config, $SPEEDRUN_CONFIG or ./speedrun.config.yaml, with --base-url and
 * --edit-format on top) and its API key: a missing key exits 2 here. The endpoint is not contacted.
 */
export async function resolveLlmModel(
  ctx: CliContext,
  flags: Pick<AgentFlags, 'config' | 'baseUrl' | 'editFormat'> & { model: string },
): Promise<{ config: SpeedrunConfig | null; model: ResolvedModel; apiKey: string | null }> {
  const config = await findConfig(ctx, flags.config);
  const model = resolveModel(config, flags.model, { baseUrl: flags.baseUrl, editFormat: flags.editFormat });
  return { config, model, apiKey: resolveApiKey(model, ctx.env) };
}

/** The simulated model behind the real LLM agent: no network, a configured latency (for `--executor sim`). */
async function prepareSimAgent(ctx: CliContext, name: string, promptVersion: string | undefined, budget: BudgetLimits): Promise<PreparedAgent> {
  const model = simModel(name);
  const latencyMs = simLatencyMs(ctx.env[SIM_LLM_LATENCY_ENV]);
  ctx.log(`agent: llm, simulated model ${name} (no network, ${latencyMs} ms per call)`);
  const client = new SimChatClient({ latencyMs, seed: name });
  const agent = new LlmAgent({
    name: 'llm',
    client,
    model,
    editFormat: editFormat('whole'),
    prompts: await loadPromptSet(promptVersion),
    budget: new LlmBudget(budget),
  });
  return { agent, model: name, budget };
}

/** `--agent exec --agent-cmd CMD`: any program as the agent (docs/agent-protocol.md). */
async function prepareExecAgent(ctx: CliContext, flags: AgentFlags, overrides: BudgetLimits, signal?: AbortSignal): Promise<PreparedAgent> {
  if (!flags.cmd)
    throw new UserError('--agent exec needs --agent-cmd', 'pass the command that edits train_gpt.py in its workspace, e.g. --agent-cmd "python3 my_agent.py"');
  const cmd = flags.cmd;
  return startExecAgent(ctx, flags, overrides, signal, () => ({ command: cmd }));
}

/**
 * A coding CLI (docs/agent-protocol.md, "Coding CLIs"): an exec agent whose command, configuration and prompt the
 * preset makes. It needs a model, which it reaches only through the run's proxy.
 */
async function preparePresetAgent(
  ctx: CliContext,
  preset: CliPreset,
  flags: AgentFlags,
  overrides: BudgetLimits,
  signal?: AbortSignal,
): Promise<PreparedAgent> {
  if (!flags.model)
    throw new UserError(`--agent ${preset.name} needs --model`, `pass --model NAME: a profile in ${CONFIG_FILE_NAME}, or the model id the endpoint serves`);
  const cli = await locateCli(preset, { explicit: flags.cli, cacheRoot: ctx.cache().root, env: ctx.env, log: ctx.log });
  const prompts = await loadPromptSet(flags.promptVersion);
  // In the agent's container the CLI's install is mounted read-only and runs on the image's Node.js.
  const mount = flags.executor === 'docker' ? await cliMount(cli) : null;
  ctx.log(`agent: ${preset.name} ${preset.version} at ${cli} (${preset.apiStyle} through the run's proxy)`);
  return startExecAgent(
    ctx,
    flags,
    overrides,
    signal,
    (model) => presetAgentOptions(preset, { cli: mount?.cli ?? cli, model, prompts, experiments: true }),
    mount ? [mount] : [],
  );
}

/**
 * Starts an exec agent with its command and the run's proxy, which serves it the model (with --model: checked here
 * like `--agent llm`'s) and experiments. With --executor docker the command runs in a container of its own (no
 * network, the workspace its only writable mount, the proxy reached through its Unix socket); otherwise as this
 * user on this machine. The run's description says which.
 */
async function startExecAgent(
  ctx: CliContext,
  flags: AgentFlags,
  overrides: BudgetLimits,
  signal: AbortSignal | undefined,
  commandOf: (model: string) => Pick<ExecAgentOptions, 'command'> & Partial<ExecAgentOptions>,
  readOnly: DockerAgentSandboxOptions['readOnly'] = [],
): Promise<PreparedAgent> {
  let model = null;
  let apiKey = null;
  let budget = overrides;
  if (flags.model) {
    if (isSimModel(flags.model))
      throw new UserError(`--agent ${flags.agent} cannot use the simulated model ${flags.model}`, "name a model profile or an endpoint's model id");
    const config = await findConfig(ctx, flags.config);
    model = resolveModel(config, flags.model, { baseUrl: flags.baseUrl });
    budget = { ...config?.budget, ...overrides };
    apiKey = resolveApiKey(model, ctx.env);
    await checkEndpoint(model, apiKey, signal);
  }
  const command = commandOf(model?.name ?? '');
  const sandbox = flags.executor === 'docker' ? await dockerAgentSandbox(flags.image ?? AGENT_IMAGE, readOnly) : undefined;
  const llmBudget = new LlmBudget(budget);
  const socketPath = sandbox ? join(await mkdtemp(join(tmpdir(), 'speedrun-proxy-')), 'proxy.sock') : undefined;
  const proxy = await ModelProxy.start({ model, apiKey, budget: llmBudget, socketPath });
  const timeoutS = flags.agentTimeoutS ?? EXEC_AGENT_TIMEOUT_S;
  const where = sandbox ? `in a container of ${flags.image ?? AGENT_IMAGE} without network` : 'on this machine as this user';
  ctx.log(
    `agent: ${flags.agent} \`${command.command}\` (up to ${timeoutS} s a node), run ${where}${model ? `, model ${model.name} through the run's proxy` : ', no model'}`,
  );
  const agent = new ExecAgent({
    ...command,
    timeoutMs: timeoutS * 1000,
    budget: llmBudget,
    proxy,
    model: model?.name ?? null,
    passEnv: flags.passEnv ?? [],
    environment: ctx.env,
    sandbox,
  });
  const release = async () => {
    await proxy.close();
    if (socketPath) await rm(dirname(socketPath), { recursive: true, force: true });
  };
  return { agent, model: model?.name ?? null, budget, release };
}

/** The agent's container sandbox; the engine must answer and hold the image before any node is written. */
async function dockerAgentSandbox(image: string, readOnly: DockerAgentSandboxOptions['readOnly']): Promise<DockerAgentSandbox> {
  const docker = new Docker();
  try {
    await docker.getImage(image).inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw toDockerError(error);
    throw new UserError(
      `the exec agent's image ${image} is not present`,
      image === AGENT_IMAGE
        ? 'build it with scripts/ci/docker-setup.sh (containers/agent/Dockerfile says how)'
        : `build or pull ${image}, or pass --agent-image`,
    );
  }
  return new DockerAgentSandbox(docker, { image, readOnly });
}

/** Replays a recorded run's LLM answers with the same model settings, edit format and prompt version. */
async function prepareReplayAgent(flags: AgentFlags, budget: BudgetLimits): Promise<PreparedAgent> {
  if (!flags.replay) throw new UserError('--agent replay needs --replay RUN_DIR', 'pass the folder of a run made with --agent llm, e.g. results/<run-id>');
  const runDir = resolve(flags.replay);
  const recorded = await readRunFile(runDir);
  if (!recorded) throw new UserError(`${runDir} is not a run folder (no ${RUN_FILE})`, 'pass the folder of a run made with --agent llm');
  const { model, promptVersion } = replayModel(recorded.config.agent_config, join(runDir, RUN_FILE));
  const agent = new LlmAgent({
    name: 'replay',
    client: new ReplayChatClient(await loadRecordedCalls(runDir)),
    model,
    editFormat: editFormat(model.edit_format),
    prompts: await loadPromptSet(promptVersion),
    budget: new LlmBudget(budget),
  });
  return { agent, model: model.name, budget, recorded: { revealTargetTime: revealsTargetTime(recorded.config) } };
}

/** --max-llm-calls, --max-tokens, --max-dollars as budget limits (on top of the config file's budget). */
export function budgetFromFlags(flags: { maxLlmCalls?: string; maxTokens?: string; maxDollars?: string }): BudgetLimits {
  const limits: Record<string, number> = {};
  const number = (value: string | undefined, flag: string, key: keyof BudgetLimits) => {
    if (value === undefined) return;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new UserError(`${flag} must be a positive number, got ${JSON.stringify(value)}`);
    limits[key] = n;
  };
  number(flags.maxLlmCalls, '--max-llm-calls', 'max_calls');
  number(flags.maxTokens, '--max-tokens', 'max_tokens');
  number(flags.maxDollars, '--max-dollars', 'max_dollars');
  const parsed = BudgetLimits.safeParse(limits);
  if (!parsed.success)
    throw new UserError(`bad budget: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'calls and tokens are whole numbers');
  return parsed.data;
}
