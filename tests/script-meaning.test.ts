import { describe, expect, it } from 'vitest';
import { cachedMeaning, pythonScriptMeaning } from '../src/core/measure/script-meaning.js';
import { tinyScript } from './helpers/agent-fixtures.js';

// Any Python 3 runs the normaliser (standard library only): torch is not needed.
const meaning = async (script: string) => pythonScriptMeaning('python3')(script);

describe("a script's meaning", () => {
  it('is the same across comments, blank lines, spacing, line breaks inside brackets and docstrings', async () => {
    const base = 'import os\n\ndef lr(step):\n    """The schedule."""\n    return 0.1 * step\n\nx = lr(3)\n';
    const same = [
      '# a comment\nimport os\n\n\n\ndef lr(step):  # why\n    return 0.1*step\nx = lr(\n    3,\n)\n',
      "'''A new module docstring.'''\nimport os\ndef lr(step):\n    '''Another one.'''\n    return 0.1 * step\nx = lr(3)\n",
    ];
    const expected = await meaning(base);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
    for (const script of same) expect(await meaning(script), script).toBe(expected);
  });

  it('changes with anything Python would run differently: a number, a name, an added statement, a string that is not a docstring', async () => {
    const base = await meaning('x = 0.1 * 3\n');
    for (const script of ['x = 0.2 * 3\n', 'y = 0.1 * 3\n', 'x = 0.1 * 3\nz = 1\n', 'x = 0.1 * 3\n"a string after code"\n']) {
      expect(await meaning(script), script).not.toBe(base);
    }
  });

  it("tells a real record's script from the next record's, and never fails on what does not parse (null)", async () => {
    const [r5, r6] = [await tinyScript(5), await tinyScript(6)];
    expect(await meaning(`${r5}\n# tuned\n`)).toBe(await meaning(r5));
    expect(await meaning(r6)).not.toBe(await meaning(r5));
    expect(await meaning('def broken(:\n')).toBeNull();
    expect(await meaning('x = "\u0000"\n\u0000')).toBeNull();
    expect(await meaning('')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is asked once per distinct script when cached', async () => {
    let calls = 0;
    const counted = cachedMeaning(async (script) => {
      calls++;
      return script.length > 3 ? 'long' : null;
    });
    expect(await Promise.all([counted('abcd'), counted('abcd'), counted('ab')])).toEqual(['long', 'long', null]);
    expect(calls).toBe(2);
  });
});
