/** Line handling shared by the edit formats: scripts are edited as arrays of lines without their newlines. */

/** Models (and some transports) answer with CRLF; the scripts use LF. */
export function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** The lines of a text, without newline characters; '' has none, and a final newline adds no empty line. */
export function toLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Joins lines back into a text, ending with a newline when `finalNewline` and there is any line at all. */
export function joinLines(lines: readonly string[], finalNewline: boolean): string {
  if (lines.length === 0) return '';
  return lines.join('\n') + (finalNewline ? '\n' : '');
}

export function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** The leading whitespace of a line. */
export function indentOf(line: string): string {
  return /^\s*/.exec(line)![0];
}
