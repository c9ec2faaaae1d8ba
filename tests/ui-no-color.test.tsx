import { afterEach, describe, expect, it } from 'vitest';
import chalk from 'chalk';
import { cleanup, render } from 'ink-testing-library';
import { DiffView } from '../src/ui/components/diff-view.js';
import { tint } from '../src/ui/color.js';

const savedLevel = chalk.level;
const savedNoColor = process.env['NO_COLOR'];

afterEach(() => {
  cleanup();
  chalk.level = savedLevel;
  if (savedNoColor === undefined) delete process.env['NO_COLOR'];
  else process.env['NO_COLOR'] = savedNoColor;
});

const DIFF = '@@ -1 +1 @@\n-lr = 0.001\n+lr = 0.002\n';
const ANSI_COLOUR = /\u001B\[3\dm/;

describe('NO_COLOR', () => {
  it('colours a diff on a colour terminal', () => {
    delete process.env['NO_COLOR'];
    chalk.level = 1; // as on a TTY: the test runner's own stdout is not one
    const { lastFrame } = render(<DiffView diff={DIFF} width={40} height={5} scroll={0} />);
    expect(lastFrame()).toMatch(ANSI_COLOUR);
  });

  it('drops every colour when NO_COLOR is set, even where the terminal has colours', () => {
    process.env['NO_COLOR'] = '1';
    chalk.level = 1;
    const { lastFrame } = render(<DiffView diff={DIFF} width={40} height={5} scroll={0} />);
    expect(lastFrame()).not.toMatch(ANSI_COLOUR);
    expect(lastFrame()).toContain('+lr = 0.002');
  });

  it('treats an empty NO_COLOR as unset, as no-color.org says', () => {
    process.env['NO_COLOR'] = '';
    expect(tint('red')).toBe('red');
  });
});
