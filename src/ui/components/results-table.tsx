import { Box, Text } from 'ink';
import { formatTime } from '../../core/format-time.js';
import type { HintRow } from '../controller.js';
import { formatPercent } from '../format.js';
import { formatFsr } from '../../core/score/fsr.js';

/** The per-hint comparison, the same columns `speedrun report` prints; fits 80 columns. */
export function ResultsTable({ rows }: { rows: HintRow[] }) {
  // The verified column appears once some run has been verified (`speedrun verify`): claimed and verified side by side.
  const verified = rows.some((r) => (r.verified_runs ?? 0) > 0);
  const header = ['hint', 'tasks', 'runs', 'mean FSR', ...(verified ? ['verified'] : []), 'success', 'buggy', 'median best'];
  const body = rows.map((r) => [
    r.hint,
    String(r.tasks),
    String(r.runs),
    formatFsr(r.mean_fsr),
    ...(verified ? [formatFsr(r.mean_fsr_verified ?? null)] : []),
    formatPercent(r.success_rate),
    formatPercent(r.buggy_share),
    formatTime(r.median_best_ms),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {line(header)}
      </Text>
      {body.map((cells, i) => (
        <Text key={i} wrap="truncate">
          {line(cells)}
        </Text>
      ))}
    </Box>
  );
}
