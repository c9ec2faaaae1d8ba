/**
 * The folder an exec agent works in for one node (docs/agent-protocol.md): the parent's script to edit, the task,
 * the hint and the run's history. Everything is written fresh for each node under nodes/<n>/workspace and kept
 * there afterwards, with the agent's scratch files, for inspection.
 */
import { chmod, copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { placeBesideScript } from '../../data/record-kernels.js';
import type { LlmUsage } from '../../store/schema.js';
import type { BudgetLimits } from '../budget.js';
import type { NodeHistory, ProposeInput } from '../agent.js';
import { taskTiming } from '../../catalog/task-timing.js';
import { packageRoot } from '../../paths.js';
import { AGENT_DIRS, NODE_FILES, nodeDirOf } from '../../store/layout.js';
import { readNodeText } from '../../store/run-store.js';

/** The protocol's version, in task.json: bumped when a field changes meaning. */
export const PROTOCOL_VERSION = 1;

/** The files of a workspace, and the environment variables an agent is told about. */
export const WORKSPACE_FILES = {
  script: NODE_FILES.script,
  task: 'task.json',
  hint: 'hint.md',
  history: 'history.json',
  notes: 'notes.md',
  tool: 'speedrun-tool',
  home: '.home',
} as const;

/** The experiment tool's source, shipped at the package root like the other Python helpers. */
const SPEEDRUN_TOOL = join(packageRoot, 'python', 'speedrun_tool.py');
export const AGENT_ENV = { baseUrl: 'OPENAI_BASE_URL', apiKey: 'OPENAI_API_KEY', workspace: 'SPEEDRUN_WORKSPACE', node: 'SPEEDRUN_NODE' } as const;

export interface Workspace {
  dir: string;
}

/** Makes the node's workspace (an earlier attempt's is replaced) and writes the task into it. */
export async function prepareWorkspace(
  input: ProposeInput,
  budget: { limits: BudgetLimits; used: LlmUsage },
  opts: { experiments: boolean },
): Promise<Workspace> {
  const nodeDir = nodeDirOf(input.runDir, input.node);
  const dir = join(nodeDir, AGENT_DIRS.workspace);
  await rm(dir, { recursive: true, force: true });
  // HOME is inside the workspace, so in a container the workspace is the only writable mount; only train_gpt.py
  // is ever taken back, so a CLI's config and caches there never become part of the edit.
  await mkdir(join(dir, WORKSPACE_FILES.home), { recursive: true });
  const history = { nodes: await Promise.all(input.finished.map((n) => historyEntry(input.runDir, n))), failing_log_tail: input.parentLogTail };
  await Promise.all([
    writeFile(join(dir, WORKSPACE_FILES.script), input.parentScript),
    writeFile(join(dir, WORKSPACE_FILES.task), `${JSON.stringify(taskOf(input, budget), null, 2)}\n`),
    writeFile(join(dir, WORKSPACE_FILES.hint), input.hint),
    writeFile(join(dir, WORKSPACE_FILES.history), `${JSON.stringify(history, null, 2)}\n`),
  ]);
  // The kernel files the script imports, so the agent reads (and its experiments run) what training uses.
  await placeBesideScript(input.besideScript, join(dir, WORKSPACE_FILES.script));
  // The experiment tool: `./speedrun-tool train` trains the current script as a node of the run.
  if (opts.experiments) await copyFile(SPEEDRUN_TOOL, join(dir, WORKSPACE_FILES.tool)).then(() => chmod(join(dir, WORKSPACE_FILES.tool), 0o755));
  return { dir };
}

/** task.json: what the node is, what it aims for, what it may spend. */
function taskOf(input: ProposeInput, budget: { limits: BudgetLimits; used: LlmUsage }) {
  const { limits, used } = budget;
  const timing = taskTiming(input.manifest, input.record);
  const left = (limit: number | undefined, spent: number | null) => (limit === undefined || spent === null ? null : Math.max(0, limit - spent));
  return {
    protocol: PROTOCOL_VERSION,
    track: input.manifest.track,
    record: input.record,
    node: input.node,
    operator: input.operator,
    parent: input.parent.result.node,
    target_val_loss: timing.target,
    timing_rule: timing.rule,
    baseline_time_ms: input.times.baselineMs,
    // The next record's time only where the run reveals it (the paper's agents were not told it).
    target_time_ms: input.revealTargetTime ? input.times.targetMs : null,
    hardware: input.hardware,
    timeout_ms: input.timeoutMs,
    hint_level: input.hintLevel,
    budget: {
      llm_calls_left: left(limits.max_calls, used.llm_calls),
      tokens_left: left(limits.max_tokens, used.prompt_tokens + used.completion_tokens),
      dollars_left: left(limits.max_dollars, used.cost_usd),
      nodes_left: input.nodesLeft,
    },
    env: AGENT_ENV,
    files: WORKSPACE_FILES,
  };
}

/** One finished node as history.json lists it: what was tried and what the harness measured. */
async function historyEntry(runDir: string, { result, note }: NodeHistory) {
  const edit = result.operator === 'baseline' ? null : await readNodeText(runDir, result.node, 'edit');
  return {
    node: result.node,
    parent: result.parent,
    operator: result.operator,
    status: result.status,
    time_to_target_ms: result.time_to_target_ms,
    final_val_loss: result.final?.val_loss ?? null,
    integrity: result.integrity ? { verdict: result.integrity.verdict, findings: result.integrity.findings } : null,
    note,
    error: result.error,
    diff: edit === null ? null : diffSummary(edit),
  };
}

/** "+12 -3 lines" of a unified diff. */
function diffSummary(edit: string): string {
  let added = 0;
  let removed = 0;
  for (const line of edit.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++')) added++;
    else if (line.startsWith('-') && !line.startsWith('---')) removed++;
  }
  return `+${added} -${removed} lines`;
}
