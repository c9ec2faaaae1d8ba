import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { App } from '../src/ui/app.js';
import { CATALOG, FakeController, KEYS, plainFrame, renderAt, settle, until, widestLine } from './helpers/fake-controller.js';

afterEach(() => cleanup());

async function setup(controller = new FakeController(), initial = {}) {
  const app = await renderAt(<App controller={controller} initial={initial} />);
  // The form, or what stands in for it when the catalog has no tracks.
  await until(() => expect(plainFrame(app)).toMatch(/speedrun · new run|The catalog has no tracks/));
  return { controller, app };
}

type Rendered = Awaited<ReturnType<typeof setup>>['app'];

/** The value shown on a field's line of the form. */
function fieldLine(frame: string, label: string): string {
  return frame.split('\n').find((line) => line.includes(` ${label} `)) ?? '';
}

/** Presses ↑/↓ and waits until the cursor (›) is on the field. */
async function moveTo(app: Rendered, key: string, label: string): Promise<void> {
  app.stdin.write(key);
  await until(() => expect(fieldLine(plainFrame(app), label)).toMatch(/^›/));
}

describe('setup screen', () => {
  it('says clearly that an empty catalog leaves nothing to run', async () => {
    const controller = new FakeController();
    controller.catalogValue = { ...CATALOG, tracks: [] };
    const { app } = await setup(controller);
    const frame = plainFrame(app);
    expect(frame).toContain('The catalog has no tracks');
    expect(frame).toContain('speedrun records sync');
    app.stdin.write(KEYS.enter);
    // Nothing on screen changes, so there is nothing to wait for: ink hands the key to the screen while write()
    // runs, and a start would follow through promise callbacks (saveChoices, then start), all run by one settle.
    await settle();
    expect(controller.callsTo('start')).toHaveLength(0);
  });

  it('fills sensible defaults and shows the record description and time, within 80 columns', async () => {
    const { app } = await setup();
    const frame = plainFrame(app);
    expect(fieldLine(frame, 'track')).toContain('gpt2-124m');
    expect(fieldLine(frame, 'record')).toContain('#1');
    expect(fieldLine(frame, 'hint')).toContain('none');
    // With model profiles configured, the llm agent and its first profile are the defaults.
    expect(fieldLine(frame, 'agent')).toContain('llm');
    expect(fieldLine(frame, 'model')).toContain('gpt-small');
    expect(fieldLine(frame, 'nodes')).toContain('8');
    expect(fieldLine(frame, 'executor')).toContain('local');
    expect(fieldLine(frame, 'max LLM calls')).toContain('no limit');
    expect(frame).toContain('record #1 (45.00 min): llm.c baseline');
    expect(widestLine(frame)).toBeLessThanOrEqual(80);
  });

  it('pre-fills from flags over the last choices', async () => {
    const controller = new FakeController();
    controller.last = { track: 'gpt2-124m', record: 2, hint: 'L2', scaffold: 'mcts', nodes: 20 };
    const { app } = await setup(controller, { hint: 'L3', agent: 'reference' });
    const frame = plainFrame(app);
    expect(fieldLine(frame, 'record')).toContain('#2');
    expect(fieldLine(frame, 'hint')).toContain('L3');
    expect(fieldLine(frame, 'scaffold')).toContain('mcts');
    expect(fieldLine(frame, 'nodes')).toContain('20');
    expect(fieldLine(frame, 'agent')).toContain('reference');
    // No model field for an agent that takes none.
    expect(fieldLine(frame, 'model')).toBe('');
  });

  it('changes fields with the arrow keys, skipping records that start no task, and previews the hint', async () => {
    const { controller, app } = await setup();
    await moveTo(app, KEYS.down, 'record');
    app.stdin.write(KEYS.right);
    await until(() => expect(fieldLine(plainFrame(app), 'record')).toContain('#2'));
    app.stdin.write(KEYS.right); // #3 has no next record: wraps back to #1
    await until(() => expect(fieldLine(plainFrame(app), 'record')).toContain('#1'));
    await moveTo(app, KEYS.down, 'hint');
    app.stdin.write(KEYS.right);
    await until(() => expect(fieldLine(plainFrame(app), 'hint')).toContain('L1'));
    await until(() => expect(controller.callsTo('hintPreview').at(-1)?.args).toEqual(['gpt2-124m', 1, 'L1']));
    await until(() => expect(plainFrame(app)).toContain('L1 for gpt2-124m #1: Use a higher learning rate with warmup.'));
  });

  it('starts with enter: saves the choices, then starts the run with them', async () => {
    const { controller, app } = await setup();
    // hint → L1, model → claude-big
    await moveTo(app, KEYS.down, 'record');
    await moveTo(app, KEYS.down, 'hint');
    app.stdin.write(KEYS.right);
    await until(() => expect(fieldLine(plainFrame(app), 'hint')).toContain('L1'));
    await moveTo(app, KEYS.down, 'agent');
    await moveTo(app, KEYS.down, 'model');
    app.stdin.write(KEYS.right);
    await until(() => expect(fieldLine(plainFrame(app), 'model')).toContain('claude-big'));
    app.stdin.write(KEYS.enter);
    await until(() => expect(controller.callsTo('start')).toHaveLength(1));
    const expected = { track: 'gpt2-124m', record: 1, hint: 'L1', agent: 'llm', model: 'claude-big', scaffold: 'aide', nodes: 8, executor: 'local' };
    expect(controller.callsTo('saveChoices')[0]?.args[0]).toEqual(expected);
    expect(controller.callsTo('start')[0]?.args[0]).toEqual(expected);
    expect(controller.calls.findIndex((c) => c.method === 'saveChoices')).toBeLessThan(controller.calls.findIndex((c) => c.method === 'start'));
  });

  it("offers the llm agent the next record's time, hidden by default, and starts with it told when toggled", async () => {
    const { controller, app } = await setup();
    expect(fieldLine(plainFrame(app), 'target time')).toContain('hidden');
    // Ten fields down from the track.
    for (const label of ['record', 'hint', 'agent', 'model', 'scaffold', 'nodes', 'executor', 'max LLM calls', 'time budget', 'target time']) {
      await moveTo(app, KEYS.down, label);
    }
    app.stdin.write(KEYS.right);
    await until(() => expect(fieldLine(plainFrame(app), 'target time')).toContain('told to the agent'));
    expect(widestLine(plainFrame(app))).toBeLessThanOrEqual(80);
    app.stdin.write(KEYS.enter);
    await until(() => expect(controller.callsTo('start')[0]?.args[0]).toMatchObject({ agent: 'llm', revealTargetTime: true }));
  });

  it('takes a typed model id on the model field', async () => {
    const { controller, app } = await setup();
    for (const label of ['record', 'hint', 'agent', 'model']) await moveTo(app, KEYS.down, label);
    let typed = 'gpt-small';
    for (const ch of '-v2') {
      app.stdin.write(ch);
      typed += ch;
      await until(() => expect(fieldLine(plainFrame(app), 'model')).toContain(typed));
    }
    expect(fieldLine(plainFrame(app), 'model')).toContain('gpt-small-v2');
    app.stdin.write(KEYS.enter);
    await until(() => expect(controller.callsTo('start')[0]?.args[0]).toMatchObject({ model: 'gpt-small-v2' }));
  });
});
