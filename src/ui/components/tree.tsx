import { Box, Text } from 'ink';
import { formatTime } from '../../core/format-time.js';
import { treeOrder, type NodeView, type NodeViewStatus, type RunViewState } from '../state/run-view.js';
import { fit, formatLoss } from '../format.js';
import { tint } from '../color.js';

interface TreeProps {
  view: RunViewState;
  selected: number | null;
  width: number;
  /** Lines available; the window scrolls to keep the selected node visible. */
  height: number;
}

/** The search tree, one node a line: `#n operator status time val_loss`, indented under its parent, ★ on the best. */
export function Tree({ view, selected, width, height }: TreeProps) {
  const rows = treeOrder(view);
  if (rows.length === 0) {
    return (
      <Box width={width}>
        <Text dimColor>waiting for the first node…</Text>
      </Box>
    );
  }
  const index = Math.max(
    0,
    rows.findIndex((r) => r.id === selected),
  );
  const start = Math.max(0, Math.min(index - Math.floor(height / 2), rows.length - height));
  return (
    <Box flexDirection="column" width={width}>
      {rows.slice(start, start + height).map(({ id, depth }) => {
        const node = view.nodes[id];
        if (!node) return null;
        const isSelected = id === selected;
        return (
          <Text key={id} inverse={isSelected} color={tint(statusColor(node.status))} wrap="truncate">
            {fit(treeLine(node, depth, id === view.bestNode), width)}
          </Text>
        );
      })}
    </Box>
  );
}

/** The text of one tree line; depth is capped so deep trees keep room for the numbers. */
export function treeLine(node: NodeView, depth: number, best: boolean): string {
  const indent = ' '.repeat(Math.min(depth, 6));
  const mark = best ? '★' : ' ';
  const time = node.timeToTargetMs !== null ? formatTime(node.timeToTargetMs) : progressText(node);
  // A person's node says so where the operator goes: that is what matters about it.
  const operator = node.by === 'human' ? 'human' : node.operator;
  return `${mark} ${indent}#${node.id} ${operator} ${node.status} ${time} ${formatLoss(node.valLoss)}`;
}

function progressText(node: NodeView): string {
  if (node.status === 'training' && node.step !== null) return node.totalSteps ? `${node.step}/${node.totalSteps}` : `step ${node.step}`;
  return '—';
}

/** Colours name the outcome; tint() drops them under NO_COLOR, and the status word is always written out too. */
export function statusColor(status: NodeViewStatus): string | undefined {
  switch (status) {
    case 'ok':
      return 'green';
    case 'writing':
    case 'training':
      return 'cyan';
    case 'missed-target':
      return 'yellow';
    case 'aborted':
      return 'gray';
    default:
      return 'red';
  }
}
