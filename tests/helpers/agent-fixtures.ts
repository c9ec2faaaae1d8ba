import { tmpdir } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProposeInput } from '../../src/core/agent/agent.js';
import { LlmBudget, type BudgetLimits } from '../../src/core/agent/budget.js';
import { editFormat } from '../../src/core/agent/edits/index.js';
import { LlmAgent } from '../../src/core/agent/llm-agent.js';
import type { ModelProfileInput } from '../../src/core/agent/llm/model-profile.js';
import { OpenAiChatClient } from '../../src/core/agent/llm/openai-client.js';
import { loadPromptSet } from '../../src/core/agent/prompts.js';
import { loadTrack } from '../../src/core/catalog/catalog.js';
import { packageRoot } from '../../src/core/paths.js';
import { nodeResult } from '../../src/core/store/node-result.js';
import type { NodeResult } from '../../src/core/store/schema.js';
import { stubModel } from './llm-stub.js';

export function tinyScript(record: number): Promise<string> {
  return readFile(join(packageRoot, 'records', 'tiny', `r${String(record).padStart(2, '0')}`, 'train_gpt.py'), 'utf8');
}

/** An LLM agent on a stub endpoint, with a real client (retries without long waits) and the shipped prompts. */
export async function stubAgent(baseUrl: string, profile: ModelProfileInput = {}, limits: BudgetLimits = {}, apiKey: string | null = null): Promise<LlmAgent> {
  const model = stubModel(baseUrl, { max_retries: 1, ...profile });
  return new LlmAgent({
    name: 'llm',
    client: new OpenAiChatClient(model, apiKey, { sleep: async () => {} }),
    model,
    editFormat: editFormat(model.edit_format),
    prompts: await loadPromptSet(),
    budget: new LlmBudget(limits),
  });
}

export function baselineResult(timeMs = 36_000): NodeResult {
  return nodeResult({ node: 0, parent: null, operator: 'baseline', status: 'ok', measured_by: 'record-table', script_sha256: 'x', time_to_target_ms: timeMs });
}

/** A draft of tiny record 1 with the L1-style hint text `hint`. */
export async function draftInput(overrides: Partial<ProposeInput> = {}): Promise<ProposeInput> {
  const parent = { result: baselineResult(), note: null, analysis: null };
  return {
    manifest: await loadTrack('tiny'),
    record: 1,
    node: 1,
    operator: 'draft',
    parent,
    parentScript: await tinyScript(1),
    history: [parent],
    finished: [parent],
    runDir: join(tmpdir(), 'speedrun-draft-run'),
    hintLevel: 'L1',
    nodesLeft: null,
    parentLogTail: null,
    hint: '## Hint level 1: pseudocode of the change\n\nlearning_rate = 1.5 * learning_rate',
    hardware: 'a test machine with 2 CPU cores',
    times: { baselineMs: 36_000, targetMs: 21_900, from: 'record-table', measuredAt: null, detail: 'record table: test' },
    timeoutMs: 600_000,
    ...overrides,
  };
}
