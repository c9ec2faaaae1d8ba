import { Box, Text } from 'ink';
import { fit } from '../format.js';
import { tint } from '../color.js';

interface DiffViewProps {
  diff: string | null;
  width: number;
  height: number;
  /** First line shown; clamped to the diff's length. */
  scroll: number;
}

/** A window on a unified diff: added lines green, removed red, hunk headers cyan. */
export function DiffView({ diff, width, height, scroll }: DiffViewProps) {
  if (diff === null) return <Text dimColor>no diff for this node (the baseline, or no script yet)</Text>;
  const lines = diff.replace(/\n$/, '').split('\n');
  const start = clampScroll(scroll, lines.length, height);
  return (
    <Box flexDirection="column">
      {lines.slice(start, start + height).map((line, i) => (
        <Text key={start + i} color={tint(diffColor(line))} wrap="truncate">
          {fit(line, width)}
        </Text>
      ))}
    </Box>
  );
}

export function clampScroll(scroll: number, total: number, height: number): number {
  return Math.max(0, Math.min(scroll, total - height));
}

function diffColor(line: string): string | undefined {
  if (line.startsWith('+++') || line.startsWith('---')) return undefined;
  if (line.startsWith('+')) return 'green';
  if (line.startsWith('-')) return 'red';
  if (line.startsWith('@@')) return 'cyan';
  return undefined;
}
