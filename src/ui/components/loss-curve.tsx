import { Box, Text } from 'ink';
import type { CurvePoint } from '../controller.js';
import { NODE_MARK, RECORD_MARK, TARGET_MARK, plotLoss } from '../state/loss-plot.js';
import { tint } from '../color.js';
import type { TimingRule } from '../../core/catalog/schema.js';

interface LossCurveProps {
  node: CurvePoint[];
  record: CurvePoint[] | null;
  targetLoss: number | null;
  /** How the time is read against the target line: at the final validation line, or at the first crossing. */
  timingRule?: TimingRule | null;
  width: number;
  height: number;
}

/** The selected node's validation loss against the record's own curve, with the target line and a legend. */
export function LossCurve({ node, record, targetLoss, timingRule, width, height }: LossCurveProps) {
  const lines = plotLoss({ node, record, targetLoss, width, height });
  if (lines.length === 0) return <Text dimColor>no validation loss yet</Text>;
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate">
          {colourMarks(line)}
        </Text>
      ))}
      <Text dimColor wrap="truncate">
        {`${NODE_MARK} node ${RECORD_MARK} record${record ? '' : ' n/a'} ${TARGET_MARK} target${targetLoss === null ? '' : ` ${targetLoss}`}${timingRule ? `, timed at ${timingRule === 'final' ? 'the final line' : 'the first crossing'}` : ''}`}
      </Text>
    </Box>
  );
}

/** Splits a plot line into runs so each mark gets its colour (tint() drops them under NO_COLOR). */
function colourMarks(line: string) {
  const runs: Array<{ text: string; color: string | undefined }> = [];
  for (const ch of line) {
    const color = ch === NODE_MARK ? 'cyan' : ch === TARGET_MARK ? 'yellow' : ch === RECORD_MARK ? 'gray' : undefined;
    const last = runs[runs.length - 1];
    if (last && last.color === color) last.text += ch;
    else runs.push({ text: ch, color });
  }
  return runs.map((run, i) => (
    <Text key={i} color={tint(run.color)}>
      {run.text}
    </Text>
  ));
}
