/**
 * modded-nanogpt's record logs open with the full text of the script that wrote them: the script reads its own
 * source (`code = f.read()`), logs it, then logs a line of 100 `=`. From 2026 the script also appends the kernel
 * files it imports, each after a banner (a line of 40 `-`, `# NAME.py`, 40 `-`). Cutting the log at the first
 * separator line gives back the exact files the record ran.
 */

/** The line the scripts print right after their own source. */
export const LOG_SEPARATOR = '='.repeat(100);
const KERNEL_BANNER = /\n\n-{40}\n# ([A-Za-z0-9_.-]+\.py)\n-{40}\n\n/g;

export interface RecoveredFile {
  name: string;
  text: string;
}

export type Recovery = { ok: true; script: string; kernels: RecoveredFile[] } | { ok: false; reason: string };

/**
 * The script (and embedded kernel files) a log opens with. Two shapes, by era:
 * - 2024 (records up to the end of 2024's first FlexAttention logs): the file writes the separator line, the code
 *   as it is, then the separator again: the script is everything between the two.
 * - later: `print(code)` then the separator line: the script is everything before `\n` + separator, joining the
 *   lines before the separator drops exactly the newline print() added.
 */
export function recoverFromLog(log: string): Recovery {
  if (log.startsWith(`${LOG_SEPARATOR}\n`)) {
    const body = log.slice(LOG_SEPARATOR.length + 1);
    const end = body.indexOf(LOG_SEPARATOR);
    if (end < 0) return { ok: false, reason: `the log opens with a line of 100 '=' but never closes the script with another` };
    return splitKernels(body.slice(0, end));
  }
  const lines = log.split('\n');
  const at = lines.indexOf(LOG_SEPARATOR);
  if (at < 0) return { ok: false, reason: `the log has no line of 100 '=' after a script (it does not open with the script that wrote it)` };
  return splitKernels(lines.slice(0, at).join('\n'));
}

function splitKernels(code: string): Recovery {
  const banners = [...code.matchAll(KERNEL_BANNER)];
  if (banners.length === 0) return { ok: true, script: code, kernels: [] };
  const script = code.slice(0, banners[0]!.index);
  const kernels: RecoveredFile[] = [];
  for (let i = 0; i < banners.length; i++) {
    const banner = banners[i]!;
    const start = banner.index + banner[0].length;
    const end = banners[i + 1]?.index ?? code.length;
    const name = banner[1]!;
    if (kernels.some((k) => k.name === name)) return { ok: false, reason: `the log embeds ${name} twice` };
    kernels.push({ name, text: code.slice(start, end) });
  }
  return { ok: true, script, kernels };
}

export interface LogFacts {
  /** From `Running PyTorch 2.10.0+cu128 ...` (any case); null when the log prints none. */
  torch: string | null;
  /** GPUs in the log's nvidia-smi table; null when it prints none. */
  gpus: number | null;
}

/** What the log says about the machine that ran it (printed after the separator). */
export function logFacts(log: string): LogFacts {
  const torch = /^Running PyTorch (\S+)/im.exec(log)?.[1] ?? null;
  const rows = log.match(/^\|\s+\d+\s+NVIDIA /gm)?.length ?? 0;
  return { torch, gpus: rows > 0 ? rows : null };
}
