import { Box, Text } from 'ink';
import { fit } from '../format.js';
import { clampScroll } from './diff-view.js';

interface LogTailProps {
  lines: string[];
  width: number;
  height: number;
  /** Lines scrolled up from the end (0: follow the tail). */
  scrollBack: number;
}

/** The last lines of a node's output, following new lines unless scrolled back. */
export function LogTail({ lines, width, height, scrollBack }: LogTailProps) {
  if (lines.length === 0) return <Text dimColor>no output yet</Text>;
  const end = lines.length - clampScroll(scrollBack, lines.length, height);
  const start = Math.max(0, end - height);
  return (
    <Box flexDirection="column">
      {lines.slice(start, end).map((line, i) => (
        <Text key={start + i} wrap="truncate">
          {fit(line, width)}
        </Text>
      ))}
    </Box>
  );
}
