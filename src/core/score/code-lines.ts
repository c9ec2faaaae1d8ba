/**
 * The lines of a Python script that carry code, as diff overlap compares them (README "Reports", diff overlap):
 * comments, blank lines and string statements (docstrings: a logical line that is nothing but string literals) are
 * dropped, and every whitespace character is removed, so re-indenting, re-spacing or re-commenting a line is no
 * change. A light scanner, not a parser: it tracks strings, comments, brackets and backslash continuations, which is
 * all it needs to tell a comment or a docstring from code; a script that does not tokenize still gives lines.
 */

const PREFIX = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])$/;

interface Fragment {
  /** 0-based line in the script. */
  line: number;
  text: string;
}

/** One physical line's code, whitespace removed; `line` is its 0-based line number in the script. */
export interface CodeLine {
  line: number;
  key: string;
}

export function codeLines(source: string): CodeLine[] {
  const lines = source.split(/\r?\n/);
  const out: CodeLine[] = [];
  // The logical line being read: its fragments, and whether every token so far was a string literal.
  let logical: Fragment[] = [];
  let onlyStrings = true;
  let sawToken = false;
  let depth = 0;
  let open: string | null = null; // the quote of a string still open at a line's end (triple quotes, or a continued one)

  const endLogical = () => {
    if (!(sawToken && onlyStrings)) for (const f of logical) if (f.text) out.push({ line: f.line, key: f.text });
    logical = [];
    onlyStrings = true;
    sawToken = false;
  };

  for (const [n, raw] of lines.entries()) {
    let text = '';
    let i = 0;
    let backslash = false;
    const take = (to: number) => {
      text += raw.slice(i, to);
      i = to;
    };
    // Reads a string body from i up to and including its closing quote; leaves `open` set when the line ends first.
    const readString = (quote: string) => {
      let j = i;
      while (j < raw.length) {
        if (raw[j] === '\\') j += 2;
        else if (raw.startsWith(quote, j)) {
          take(j + quote.length);
          open = null;
          return;
        } else j++;
      }
      take(raw.length);
      // A one-quote string only goes on past its line after a backslash; otherwise it is unterminated: close it.
      open = quote.length === 3 || raw.endsWith('\\') ? quote : null;
    };
    if (open) readString(open);
    while (i < raw.length && !open) {
      const c = raw[i]!;
      if (c === '#') break;
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(raw.slice(i))?.[0];
      const quoteAt =
        word && PREFIX.test(word) && (raw[i + word.length] === '"' || raw[i + word.length] === "'") ? i + word.length : c === '"' || c === "'" ? i : -1;
      if (quoteAt >= 0) {
        sawToken = true;
        const q = raw[quoteAt]!;
        const quote = raw.startsWith(q.repeat(3), quoteAt) ? q.repeat(3) : q;
        take(quoteAt + quote.length);
        readString(quote);
        continue;
      }
      if (/\s/.test(c)) {
        i++;
        continue;
      }
      if (c === '\\' && i === raw.trimEnd().length - 1) {
        backslash = true;
        break;
      }
      sawToken = true;
      onlyStrings = false;
      if ('([{'.includes(c)) depth++;
      if (')]}'.includes(c)) depth = Math.max(0, depth - 1);
      if (word) take(i + word.length);
      else take(i + 1);
    }
    logical.push({ line: n, text: text.replace(/\s+/g, '') });
    if (!open && depth === 0 && !backslash) endLogical();
  }
  endLogical();
  return out;
}
