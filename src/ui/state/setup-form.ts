import { cliPreset } from '../../core/agent/exec/presets/index.js';
import { formatHintSpec, hintSpecChoices, parseHintSpec } from '../../core/catalog/hints.js';
import type { CatalogRecord, SetupCatalog, SetupChoices } from '../controller.js';

/**
 * The setup form as pure functions: defaults, the fields shown, and what ←/→ does to each. Kept apart from the
 * screen so the rules (flags over last choices over defaults, records that start a task) are tested directly.
 */

export type SetupField =
  'track' | 'record' | 'hint' | 'agent' | 'agentCmd' | 'model' | 'scaffold' | 'nodes' | 'executor' | 'maxLlmCalls' | 'timeBudgetS' | 'targetTime';

/** Fields edited by typing (free text) as well as by ←/→. */
export type TextField = 'model' | 'agentCmd';

export const FIELD_LABELS: Record<SetupField, string> = {
  track: 'track',
  record: 'record',
  hint: 'hint',
  agent: 'agent',
  agentCmd: 'command',
  model: 'model',
  scaffold: 'scaffold',
  nodes: 'nodes',
  executor: 'executor',
  maxLlmCalls: 'max LLM calls',
  timeBudgetS: 'time budget',
  targetTime: 'target time',
};

/** Budget steps offered by ←/→; undefined is "no limit". */
const LLM_CALL_STEPS: Array<number | undefined> = [undefined, 10, 25, 50, 100, 200, 500, 1000];
const TIME_BUDGET_STEPS: Array<number | undefined> = [undefined, 600, 1800, 3600, 7200, 14_400, 28_800, 86_400];
const DEFAULT_NODES = 8;

/**
 * How an agent takes a model: the llm agent and the coding CLIs need one; an exec command may have one (served by
 * the run's proxy); the others have none.
 */
export function modelUse(agent: string): 'required' | 'optional' | 'none' {
  if (agent === 'llm' || cliPreset(agent)) return 'required';
  return agent === 'exec' ? 'optional' : 'none';
}

/** The agent entry of the run's bench spec: the name, with the model and command the agent takes. */
export function agentEntry(choices: SetupChoices): string | { name: string; model?: string; cmd?: string } {
  const model = modelUse(choices.agent) === 'none' ? undefined : choices.model;
  const cmd = choices.agent === 'exec' ? choices.agentCmd : undefined;
  if (model === undefined && cmd === undefined) return choices.agent;
  return { name: choices.agent, ...(model !== undefined && { model }), ...(cmd !== undefined && { cmd }) };
}

/** Why the choices cannot start a run yet, or null. */
export function missingChoice(choices: SetupChoices): string | null {
  if (choices.agent === 'exec' && !choices.agentCmd?.trim()) return 'the exec agent needs a command: type it on the command field';
  if (modelUse(choices.agent) === 'required' && !choices.model)
    return `the ${choices.agent} agent needs a model: type a model id or add a profile to speedrun.config.yaml`;
  return null;
}

/** Records a run can start from: those with a next record to chase. */
export function taskRecords(catalog: SetupCatalog, track: string): CatalogRecord[] {
  return catalog.tracks.find((t) => t.name === track)?.records.filter((r) => r.hasTask) ?? [];
}

/** The hint specs offered for a task: those its record's levels make (L9 only where upstream ships it). */
export function hintChoices(catalog: SetupCatalog, track: string, record: number): string[] {
  const levels = recordOf(catalog, track, record)?.hintLevels;
  return levels ? hintSpecChoices(levels) : catalog.hints;
}

/** A hint kept as far as the record has its levels (L1+L9 on a record without L9 becomes L1); unreadable: none. */
function fitHint(catalog: SetupCatalog, track: string, record: number, hint: string | undefined): string {
  const levels = recordOf(catalog, track, record)?.hintLevels;
  if (!levels) {
    const options = catalog.hints;
    return hint !== undefined && options.includes(hint) ? hint : options.includes('none') ? 'none' : (options[0] ?? '');
  }
  let wanted: number[];
  try {
    wanted = parseHintSpec(hint ?? 'none');
  } catch {
    return 'none';
  }
  return formatHintSpec(wanted.filter((level) => levels.includes(level)));
}

function recordOf(catalog: SetupCatalog, track: string, record: number): CatalogRecord | undefined {
  return catalog.tracks.find((t) => t.name === track)?.records.find((r) => r.number === record);
}

/** Defaults, overridden by the last choices, overridden by the flags; values the catalog lacks fall back. */
export function initialChoices(catalog: SetupCatalog, last: Partial<SetupChoices>, flags: Partial<SetupChoices>): SetupChoices {
  const pick = <K extends keyof SetupChoices>(key: K): SetupChoices[K] | undefined => flags[key] ?? last[key];
  const oneOf = (options: string[], wanted: string | undefined, fallback?: string) =>
    wanted !== undefined && options.includes(wanted) ? wanted : fallback !== undefined && options.includes(fallback) ? fallback : (options[0] ?? '');
  const track = oneOf(
    catalog.tracks.map((t) => t.name),
    pick('track'),
  );
  const records = taskRecords(catalog, track);
  const wantedRecord = pick('record');
  const record = records.find((r) => r.number === wantedRecord)?.number ?? records[0]?.number ?? 0;
  // The llm agent is the point of the benchmark, but without a model profile the reference agent is the safe default.
  const agent = oneOf(catalog.agents, pick('agent'), catalog.models.length > 0 ? 'llm' : 'reference');
  const choices: SetupChoices = {
    track,
    record,
    hint: fitHint(catalog, track, record, pick('hint')),
    agent,
    scaffold: oneOf(catalog.scaffolds, pick('scaffold')),
    nodes: positive(pick('nodes')) ?? DEFAULT_NODES,
    executor: oneOf(catalog.executors, pick('executor'), 'local'),
  };
  // An exec command takes a model only when one is asked for; the agents that need one get the first profile.
  const use = modelUse(agent);
  const model = use === 'required' ? (pick('model') ?? catalog.models[0]) : use === 'optional' ? pick('model') : undefined;
  if (model) choices.model = model;
  const agentCmd = agent === 'exec' ? pick('agentCmd') : undefined;
  if (agentCmd) choices.agentCmd = agentCmd;
  const maxLlmCalls = positive(pick('maxLlmCalls'));
  if (maxLlmCalls !== undefined) choices.maxLlmCalls = maxLlmCalls;
  const timeBudgetS = positive(pick('timeBudgetS'));
  if (timeBudgetS !== undefined) choices.timeBudgetS = timeBudgetS;
  if (pick('revealTargetTime') === true) choices.revealTargetTime = true;
  return choices;
}

export function visibleFields(choices: SetupChoices): SetupField[] {
  const fields: SetupField[] = ['track', 'record', 'hint', 'agent'];
  if (choices.agent === 'exec') fields.push('agentCmd');
  if (modelUse(choices.agent) !== 'none') fields.push('model');
  fields.push('scaffold', 'nodes', 'executor', 'maxLlmCalls', 'timeBudgetS');
  // Only the llm agent reads prompts; a replay keeps the setting it was recorded with.
  if (choices.agent === 'llm') fields.push('targetTime');
  return fields;
}

/** ←/→ on a field: the previous or next value (lists wrap; numbers step). */
export function stepField(catalog: SetupCatalog, choices: SetupChoices, field: SetupField, delta: 1 | -1): SetupChoices {
  switch (field) {
    case 'track': {
      const track = cycle(
        catalog.tracks.map((t) => t.name),
        choices.track,
        delta,
      );
      const records = taskRecords(catalog, track);
      const record = records.some((r) => r.number === choices.record) ? choices.record : (records[0]?.number ?? 0);
      return { ...choices, track, record, hint: fitHint(catalog, track, record, choices.hint) };
    }
    case 'record': {
      const numbers = taskRecords(catalog, choices.track).map((r) => r.number);
      const record = Number(cycle(numbers.map(String), String(choices.record), delta));
      return { ...choices, record, hint: fitHint(catalog, choices.track, record, choices.hint) };
    }
    case 'hint':
      return { ...choices, hint: cycle(hintChoices(catalog, choices.track, choices.record), choices.hint, delta) };
    case 'agent': {
      const agent = cycle(catalog.agents, choices.agent, delta);
      const next = { ...choices, agent };
      if (modelUse(agent) === 'required' && !next.model && catalog.models[0]) next.model = catalog.models[0];
      return next;
    }
    case 'agentCmd':
      return choices;
    case 'model': {
      // An optional model can also be none ('').
      const options = modelUse(choices.agent) === 'optional' ? ['', ...catalog.models] : catalog.models;
      return options.length === 0 ? choices : withText(choices, 'model', cycle(options, choices.model ?? '', delta));
    }
    case 'scaffold':
      return { ...choices, scaffold: cycle(catalog.scaffolds, choices.scaffold, delta) };
    case 'executor':
      return { ...choices, executor: cycle(catalog.executors, choices.executor, delta) };
    case 'nodes':
      return { ...choices, nodes: Math.max(1, choices.nodes + delta) };
    case 'maxLlmCalls':
      return withOptional(choices, 'maxLlmCalls', stepNumber(LLM_CALL_STEPS, choices.maxLlmCalls, delta));
    case 'timeBudgetS':
      return withOptional(choices, 'timeBudgetS', stepNumber(TIME_BUDGET_STEPS, choices.timeBudgetS, delta));
    case 'targetTime': {
      const next = { ...choices };
      if (choices.revealTargetTime) delete next.revealTargetTime;
      else next.revealTargetTime = true;
      return next;
    }
  }
}

/** Typing on a text field edits it: a model id instead of a profile, the exec agent's command. */
export function typeInto(choices: SetupChoices, field: TextField, input: string, backspace: boolean): SetupChoices {
  const current = choices[field] ?? '';
  return withText(choices, field, backspace ? current.slice(0, -1) : current + input);
}

function withText(choices: SetupChoices, field: TextField, text: string): SetupChoices {
  const next = { ...choices };
  if (text === '') delete next[field];
  else next[field] = text;
  return next;
}

export function fieldText(choices: SetupChoices, field: SetupField): string {
  switch (field) {
    case 'record':
      return `#${choices.record}`;
    case 'model':
      return choices.model ?? (modelUse(choices.agent) === 'optional' ? 'none (type a model id to serve one)' : '(type a model id)');
    case 'agentCmd':
      return choices.agentCmd ?? '(type the command, e.g. python3 my_agent.py)';
    case 'nodes':
      return String(choices.nodes);
    case 'maxLlmCalls':
      return choices.maxLlmCalls === undefined ? 'no limit' : String(choices.maxLlmCalls);
    case 'timeBudgetS':
      return choices.timeBudgetS === undefined ? 'no limit' : formatBudget(choices.timeBudgetS);
    case 'targetTime':
      return choices.revealTargetTime ? 'told to the agent' : 'hidden (as in the paper)';
    default:
      return choices[field] || '—';
  }
}

function formatBudget(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

function cycle(options: string[], current: string, delta: 1 | -1): string {
  if (options.length === 0) return current;
  const at = options.indexOf(current);
  const index = at === -1 ? 0 : (at + delta + options.length) % options.length;
  return options[index] ?? current;
}

/** Steps through a ladder of values; a value off the ladder (from a flag) moves to its neighbour on it. */
function stepNumber(steps: Array<number | undefined>, current: number | undefined, delta: 1 | -1): number | undefined {
  if (current === undefined) return delta > 0 ? steps[1] : undefined;
  const numbers = steps.filter((s): s is number => s !== undefined);
  if (delta > 0) return numbers.find((s) => s > current) ?? current;
  const lower = numbers.filter((s) => s < current);
  return lower[lower.length - 1];
}

function withOptional(choices: SetupChoices, key: 'maxLlmCalls' | 'timeBudgetS', value: number | undefined): SetupChoices {
  const next = { ...choices };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}
