import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { App } from '../src/ui/app.js';
import { initialChoices, stepField } from '../src/ui/state/setup-form.js';
import { CATALOG, FakeController, KEYS, nodeCreated, nodeFinished, plainFrame, renderAt, runStarted, until } from './helpers/fake-controller.js';

afterEach(() => cleanup());

const FLAGS = { track: 'gpt2-124m', record: 1, agent: 'reference' };

describe('app', () => {
  it('shows why a run could not start', async () => {
    const controller = new FakeController();
    controller.start = async () => {
      throw new Error('no GPU found');
    };
    const app = await renderAt(<App controller={controller} initial={FLAGS} autoStart />);
    await until(() => expect(plainFrame(app)).toContain('could not start the run: no GPU found'));
  });

  it('shows why the catalog could not be read', async () => {
    const controller = new FakeController();
    controller.catalog = async () => {
      throw new Error('catalog.json is corrupt');
    };
    const app = await renderAt(<App controller={controller} />);
    await until(() => expect(plainFrame(app)).toContain('could not read the catalog: catalog.json is corrupt'));
  });

  it('starts at once with autoStart, without saving the flags as last choices', async () => {
    const controller = new FakeController();
    await renderAt(<App controller={controller} initial={FLAGS} autoStart />);
    await until(() => expect(controller.callsTo('start')[0]?.args[0]).toMatchObject(FLAGS));
    expect(controller.callsTo('saveChoices')).toHaveLength(0);
  });

  it('opens the key help with ? and closes it with esc', async () => {
    const controller = new FakeController();
    const app = await renderAt(<App controller={controller} initial={FLAGS} autoStart />);
    await until(() => expect(controller.callsTo('start')).toHaveLength(1));
    controller.emit(runStarted({ agent: 'reference' }), nodeCreated(0, null, 'baseline'));
    // The tree's line for #0: the help covers it, and it is back once the help closes.
    await until(() => expect(plainFrame(app)).toContain('#0 baseline writing'));
    app.stdin.write('?');
    await until(() => expect(plainFrame(app)).toContain('quit, leaving a resumable run'));
    app.stdin.write(KEYS.escape);
    await until(() => expect(plainFrame(app)).toContain('#0 baseline writing'));
    expect(plainFrame(app)).not.toContain('quit, leaving a resumable run');
  });

  it('shows the selected node full width with enter, and the tree again with a second enter', async () => {
    const controller = new FakeController();
    const app = await renderAt(<App controller={controller} initial={FLAGS} autoStart />);
    await until(() => expect(controller.callsTo('start')).toHaveLength(1));
    controller.emit(runStarted({ agent: 'reference' }), nodeCreated(0, null, 'baseline'), nodeFinished(0, null), nodeCreated(1, 0));
    await until(() => expect(plainFrame(app)).toContain('#0 baseline ok 1.67 min'));
    app.stdin.write(KEYS.enter);
    // Full width: the node's title starts its line, with no tree column left of it.
    await until(() => expect(plainFrame(app)).toMatch(/^#1 improve writing/m));
    expect(plainFrame(app)).not.toContain('#0 baseline ok 1.67 min');
    expect(plainFrame(app)).toContain('#1 improve writing');
    app.stdin.write(KEYS.enter);
    await until(() => expect(plainFrame(app)).toContain('#0 baseline ok 1.67 min'));
  });
});

describe('setup form rules', () => {
  it('falls back to the catalog when a remembered value is gone', () => {
    const choices = initialChoices(CATALOG, { track: 'retired-track', scaffold: 'gone' }, {});
    expect(choices.track).toBe('gpt2-124m');
    expect(choices.scaffold).toBe('aide');
  });

  it('moves the record to one of the new track when the track changes', () => {
    const choices = stepField(CATALOG, initialChoices(CATALOG, { record: 2 }, {}), 'track', 1);
    expect(choices).toMatchObject({ track: 'tiny', record: 1 });
  });

  it('steps budgets through a ladder, back down to no limit', () => {
    let choices = initialChoices(CATALOG, {}, {});
    choices = stepField(CATALOG, choices, 'timeBudgetS', 1);
    expect(choices.timeBudgetS).toBe(600);
    choices = stepField(CATALOG, choices, 'timeBudgetS', -1);
    expect(choices.timeBudgetS).toBeUndefined();
    expect(stepField(CATALOG, initialChoices(CATALOG, {}, { maxLlmCalls: 30 }), 'maxLlmCalls', 1).maxLlmCalls).toBe(50);
  });
});
