/** One compile setting the smoke rewrite turned off, by line (1-based) of the original script. */
export interface SpeedSetting {
  name: string;
  line: number;
  from: string;
  to: string;
}

/**
 * Inductor settings that only buy speed and cost minutes of compile on the first step: coordinate-descent tuning
 * (record scripts of 2024 set it; it kept an H200 from finishing one step in 160 s) and max-autotune. A smoke run
 * checks that a script runs, not how fast, so it trains without them. Matched on code only, never in a comment.
 */
const FLAGS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'coordinate_descent_tuning', pattern: /^(\s*(?:torch\._inductor\.)?config\.coordinate_descent_tuning\s*=\s*)True\b/ },
  { name: 'max_autotune', pattern: /^(\s*(?:torch\._inductor\.)?config\.max_autotune\s*=\s*)True\b/ },
  { name: 'max_autotune_gemm', pattern: /^(\s*(?:torch\._inductor\.)?config\.max_autotune_gemm\s*=\s*)True\b/ },
];
/** `torch.compile(..., mode="max-autotune")` and its no-cudagraphs variant; `reduce-overhead` autotunes nothing. */
const AUTOTUNE_MODE = /\bmode\s*=\s*(["'])(max-autotune(?:-no-cudagraphs)?)\1/;

/** Turns the settings above off in `lines` (in place) and says which lines changed. */
export function turnOffSpeedOnlySettings(lines: string[]): SpeedSetting[] {
  const changed: SpeedSetting[] = [];
  lines.forEach((line, index) => {
    const code = codePart(line);
    for (const flag of FLAGS) {
      const match = flag.pattern.exec(code);
      if (match) {
        lines[index] = `${match[1]}False${line.slice(match[0].length)}`;
        changed.push({ name: flag.name, line: index + 1, from: 'True', to: 'False' });
      }
    }
    const mode = AUTOTUNE_MODE.exec(code);
    if (mode) {
      lines[index] = `${line.slice(0, mode.index)}mode=${mode[1]}default${mode[1]}${line.slice(mode.index + mode[0].length)}`;
      changed.push({ name: 'compile mode', line: index + 1, from: mode[2]!, to: 'default' });
    }
  });
  return changed;
}

/** The line up to a `#` that is outside quotes: enough for the one-line settings above. */
function codePart(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote !== null) {
      if (char === '\\') i++;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '#') return line.slice(0, i);
  }
  return line;
}
