import { Box, Text } from 'ink';
import type { LiveAnswer } from '../state/run-view.js';
import { fit, wrapText } from '../format.js';
import { clampScroll } from './diff-view.js';

interface AgentOutputProps {
  live: LiveAnswer | null;
  /** The node is still being written (a call may be about to start). */
  writing: boolean;
  width: number;
  height: number;
  /** Rows scrolled up from the end (0: follow the answer as it grows). */
  scrollBack: number;
}

/**
 * The answer the agent is streaming for a node, following its end as it grows: its reasoning (dimmed, when the
 * server sends it) and then the answer itself, wrapped to the pane.
 */
export function AgentOutput({ live, writing, width, height, scrollBack }: AgentOutputProps) {
  if (live === null || (live.content === '' && live.reasoning === '')) {
    const why = writing
      ? 'waiting for the agent to start writing…'
      : "the agent is not writing for this node now; its answers are in the node's llm-calls.jsonl";
    // Wrapped, not cut: the pane beside the tree is narrow at 80 columns.
    return <Text dimColor>{why}</Text>;
  }
  const rows = [
    ...(live.reasoning ? wrapText(live.reasoning, width).map((text) => ({ text, dim: true })) : []),
    ...(live.content ? wrapText(live.content, width).map((text) => ({ text, dim: false })) : []),
  ];
  const textHeight = Math.max(1, height - 1);
  const end = rows.length - clampScroll(scrollBack, rows.length, textHeight);
  const start = Math.max(0, end - textHeight);
  return (
    <Box flexDirection="column">
      <Text dimColor wrap="truncate">
        {fit(`the agent is writing (${live.purpose})…`, width)}
      </Text>
      {rows.slice(start, end).map((row, i) => (
        <Text key={start + i} dimColor={row.dim} wrap="truncate">
          {row.text === '' ? ' ' : row.text}
        </Text>
      ))}
    </Box>
  );
}
