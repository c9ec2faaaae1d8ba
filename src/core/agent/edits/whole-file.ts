import type { EditFormat, EditOutcome } from './edit-format.js';
import { findFencedBlocks, type FencedBlock } from './fences.js';
import { isBlank, normaliseNewlines } from './text-lines.js';

/** The whole new script in one fenced code block; prose around it is ignored. */

const FORMAT = 'Give the complete new script in one fenced code block: a line ```python, every line of the script, then a line ```.';

/** Blocks that can hold the script: python, py, a *.py name, or no label. */
function holdsPython(block: FencedBlock): boolean {
  return block.label === '' || block.label === 'python' || block.label === 'py' || block.label === 'python3' || block.label.endsWith('.py');
}

export function applyWholeFile(_script: string, response: string): EditOutcome {
  if (response.trim() === '') return { ok: false, message: `Your answer is empty. ${FORMAT}` };
  const scan = findFencedBlocks(normaliseNewlines(response));
  if (scan.unclosed) {
    return {
      ok: false,
      message: `The code block opened at line ${scan.unclosed.line} of your answer is never closed, so the script may be incomplete (was the answer cut off?). ${FORMAT}`,
    };
  }
  const candidates = scan.blocks.filter(holdsPython);
  if (candidates.length === 0) {
    const others = scan.blocks.map((b) => b.label);
    const found =
      others.length > 0 ? `Your answer has code blocks labelled ${others.join(', ')}, but none labelled python.` : 'Your answer has no fenced code block.';
    return { ok: false, message: `${found} ${FORMAT}` };
  }
  // Models sometimes show a snippet before the full script: the longest block is the script.
  const chosen = candidates.reduce((best, b) => (length(b) > length(best) ? b : best));
  if (chosen.lines.every(isBlank)) return { ok: false, message: `The code block at line ${chosen.line} of your answer is empty. ${FORMAT}` };

  const lines = [...chosen.lines];
  while (isBlank(lines.at(-1)!)) lines.pop();
  const notes = candidates.length > 1 ? [`took the longest of ${candidates.length} python code blocks (the one at line ${chosen.line} of the answer)`] : [];
  return { ok: true, script: `${lines.join('\n')}\n`, applied: 1, notes };
}

function length(block: FencedBlock): number {
  return block.lines.reduce((n, line) => n + line.length + 1, 0);
}

export const wholeFileFormat: EditFormat = { name: 'whole', apply: applyWholeFile };
