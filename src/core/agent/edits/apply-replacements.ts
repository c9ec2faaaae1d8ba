import type { EditOutcome } from './edit-format.js';
import { adaptLine, describeTolerance, locate } from './locate.js';
import { ambiguousMessage, emptySearchMessage, missingMessage, type Wording } from './failure-messages.js';
import { isBlank, joinLines, toLines } from './text-lines.js';

/**
 * One located edit: lines to find in the script and the lines that take their place. A replacement line may
 * instead keep the script's own line that matched `search[keep]` (a diff's context lines), so that a tolerant
 * match never rewrites lines the edit meant to leave alone.
 */
export interface Replacement {
  search: readonly string[];
  replace: ReadonlyArray<string | { keep: number }>;
}

/**
 * Applies replacements in order, each to the script as the ones before it left it. All or nothing: on any
 * failure the outcome carries a message for the model and no script.
 */
export function applyReplacements(script: string, replacements: readonly Replacement[], wording: Wording): EditOutcome {
  const original = toLines(script);
  // An empty script keeps no newline convention of its own; scripts end with one.
  const finalNewline = script === '' || script.endsWith('\n');
  let lines = original;
  const notes: string[] = [];

  for (const [index, { search, replace }] of replacements.entries()) {
    const number = index + 1;
    const name = `${wording.unit} ${number}`;
    if (search.length === 0 || search.every(isBlank)) {
      // Only a whole new file may start from nothing: there is nowhere else to put the lines.
      if (lines.every(isBlank)) {
        lines = replace.filter((line) => typeof line === 'string');
        continue;
      }
      return failure(emptySearchMessage(name, wording));
    }
    const location = locate(lines, search);
    if (!location.found) {
      const several = location.starts.length > 1;
      return failure(several ? ambiguousMessage(name, wording, search, location.starts) : missingMessage({ name, index, wording, search, lines, original }));
    }
    const tolerance = describeTolerance(location);
    if (tolerance) notes.push(`${name} matched ${tolerance}`);
    const start = location.start;
    const replacement = replace.map((line) => (typeof line === 'string' ? adaptLine(line, location) : lines[start + line.keep]!));
    lines = [...lines.slice(0, start), ...replacement, ...lines.slice(start + search.length)];
  }
  return { ok: true, script: joinLines(lines, finalNewline), applied: replacements.length, notes };
}

function failure(message: string): EditOutcome {
  return { ok: false, message: `${message}\nNothing was applied: the script is unchanged. Send all your edits again, corrected.` };
}
