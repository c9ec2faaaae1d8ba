/** Small number formats shared by the screens; "—" stands for anything unknown. */

export function formatTokens(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 1_000) return `${(n / 1_000).toFixed(1)}k`;
  return String(n);
}

export function formatDollars(usd: number | null): string {
  return usd === null ? '—' : `$${usd.toFixed(usd < 10 ? 3 : 2)}`;
}

export function formatLoss(loss: number | null | undefined): string {
  return loss === null || loss === undefined ? '—' : loss.toFixed(4);
}

export function formatPercent(value: number | null): string {
  return value === null ? '—' : `${Math.round(value * 100)}%`;
}

/** 3725000 → "1:02:05", 65000 → "1:05": a clock, not a measurement, so no units. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (v: number) => String(v).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** Cut a string to width with an ellipsis, so one-line panes never wrap. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Hard-wraps text into lines of at most `width` characters (tabs as four spaces), so a pane can count the rows it
 * shows: model answers have long prose lines that truncating would hide.
 */
export function wrapText(text: string, width: number): string[] {
  const size = Math.max(1, width);
  const out: string[] = [];
  for (const line of text.replace(/\t/g, '    ').split('\n')) {
    if (line.length === 0) out.push('');
    for (let at = 0; at < line.length; at += size) out.push(line.slice(at, at + size));
  }
  return out;
}
