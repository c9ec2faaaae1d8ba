import { describe, expect, it } from 'vitest';
import type { SetupCatalog } from '../src/ui/controller.js';
import { agentEntry, fieldText, hintChoices, initialChoices, missingChoice, stepField, typeInto, visibleFields } from '../src/ui/state/setup-form.js';
import { CATALOG } from './helpers/fake-controller.js';

/** CATALOG's first track with per-record hint levels: record 1 has level-9 documents, record 2 does not. */
const WITH_LEVELS: SetupCatalog = {
  ...CATALOG,
  tracks: CATALOG.tracks.map((track, t) =>
    t === 0 ? { ...track, records: track.records.map((r) => ({ ...r, hintLevels: r.number === 1 ? [1, 2, 3, 9] : [1, 2, 3] })) } : track,
  ),
};

describe('the setup form', () => {
  it("offers L9 only for a record that has it, and each record's own combinations", () => {
    expect(hintChoices(WITH_LEVELS, 'gpt2-124m', 1)).toEqual(['none', 'L1', 'L2', 'L3', 'L9', 'L1+L2', 'L1+L2+L3', 'L1+L9', 'L1+L2+L3+L9']);
    expect(hintChoices(WITH_LEVELS, 'gpt2-124m', 2)).toEqual(['none', 'L1', 'L2', 'L3', 'L1+L2', 'L1+L2+L3']);
    // A catalog without levels per record keeps its general list.
    expect(hintChoices(CATALOG, 'gpt2-124m', 1)).toEqual(CATALOG.hints);
  });

  it('steps through the record’s hints, and drops L9 from the choice when the record changes to one without it', () => {
    let choices = initialChoices(WITH_LEVELS, {}, { track: 'gpt2-124m', record: 1, hint: 'l9+L1' });
    expect(choices.hint).toBe('L1+L9');
    choices = stepField(WITH_LEVELS, choices, 'record', 1);
    expect(choices).toMatchObject({ record: 2, hint: 'L1' });
    choices = stepField(WITH_LEVELS, { ...choices, hint: 'L1+L2+L3' }, 'hint', 1);
    expect(choices.hint).toBe('none');
    // A spec that cannot be read, or that the record lacks entirely, falls back to none.
    expect(initialChoices(WITH_LEVELS, { hint: 'L7' }, { record: 1 }).hint).toBe('none');
    expect(initialChoices(WITH_LEVELS, {}, { record: 2, hint: 'L9' }).hint).toBe('none');
  });

  it("shows the llm agent the next record's time as hidden by default, and toggles it", () => {
    const choices = initialChoices(CATALOG, {}, { agent: 'llm', model: 'gpt-small' });
    expect(visibleFields(choices)).toContain('targetTime');
    expect(fieldText(choices, 'targetTime')).toBe('hidden (as in the paper)');
    const told = stepField(CATALOG, choices, 'targetTime', 1);
    expect(told.revealTargetTime).toBe(true);
    expect(fieldText(told, 'targetTime')).toBe('told to the agent');
    expect(stepField(CATALOG, told, 'targetTime', -1).revealTargetTime).toBeUndefined();
    // Agents that read no prompt have no such field; a flag pre-fills it.
    expect(visibleFields({ ...choices, agent: 'reference' })).not.toContain('targetTime');
    expect(initialChoices(CATALOG, {}, { agent: 'llm', revealTargetTime: true }).revealTargetTime).toBe(true);
  });

  it('gives a coding CLI a model like the llm agent, and the exec agent a command and a model only when asked', () => {
    const withAgents: SetupCatalog = { ...CATALOG, agents: [...CATALOG.agents, 'exec', 'qwen-code'] };
    const cli = initialChoices(withAgents, {}, { agent: 'qwen-code' });
    expect(cli.model).toBe(CATALOG.models[0]);
    expect(visibleFields(cli)).toContain('model');
    expect(agentEntry(cli)).toEqual({ name: 'qwen-code', model: CATALOG.models[0] });

    let exec = initialChoices(withAgents, {}, { agent: 'exec' });
    expect(exec.model).toBeUndefined();
    expect(visibleFields(exec).slice(3, 6)).toEqual(['agent', 'agentCmd', 'model']);
    expect(missingChoice(exec)).toMatch(/needs a command/);
    exec = typeInto(exec, 'agentCmd', 'python3 a.py', false);
    expect(missingChoice(exec)).toBeNull();
    expect(agentEntry(exec)).toEqual({ name: 'exec', cmd: 'python3 a.py' });
    // ←/→ on its model goes through the profiles and back to none.
    exec = stepField(withAgents, exec, 'model', 1);
    expect(agentEntry(exec)).toEqual({ name: 'exec', cmd: 'python3 a.py', model: CATALOG.models[0] });
    expect(stepField(withAgents, exec, 'model', -1).model).toBeUndefined();

    // A model left over from another agent goes nowhere for an agent without one.
    expect(agentEntry({ ...cli, agent: 'reference' })).toBe('reference');
  });
});
