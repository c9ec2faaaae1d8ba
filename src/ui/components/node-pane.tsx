import { Box, Text } from 'ink';
import type { CurvePoint, NodeFiles } from '../controller.js';
import type { NodeView } from '../state/run-view.js';
import { fit } from '../format.js';
import { AgentOutput } from './agent-output.js';
import { DiffView } from './diff-view.js';
import { LogTail } from './log-tail.js';
import { LossCurve } from './loss-curve.js';
import { ProgressBar } from './progress-bar.js';
import { tint } from '../color.js';
import { describeFinding } from '../../core/measure/integrity-report.js';
import type { TimingRule } from '../../core/catalog/schema.js';

const MAX_FINDINGS = 3;

export type PaneMode = 'curve' | 'diff' | 'log' | 'agent';

interface NodePaneProps {
  node: NodeView | null;
  mode: PaneMode;
  files: NodeFiles | null;
  filesError: string | null;
  recordCurve: CurvePoint[] | null;
  targetLoss: number | null;
  timingRule?: TimingRule | null;
  width: number;
  height: number;
  scroll: number;
}

/**
 * The right-hand pane: the selected node's title line, then its loss curve, diff, log or the agent's streaming answer.
 * A node the agent is still writing has no curve yet, so there the default view is the answer as it is written.
 */
export function NodePane({ node, mode: chosen, files, filesError, recordCurve, targetLoss, timingRule, width, height, scroll }: NodePaneProps) {
  if (!node) return <Text dimColor>no node selected</Text>;
  const mode = paneModeFor(node, chosen);
  const changes = node.linesAdded === null ? '' : ` +${node.linesAdded} −${node.linesRemoved ?? 0}`;
  const by = node.by === 'human' ? ' by you' : '';
  const shown = mode === 'curve' ? '' : ` [${mode}]`;
  const title = `#${node.id} ${node.operator}${by} ${node.status}${shown}${changes}${node.note ? ` · ${node.note}` : ''}`;
  // The audit is part of the node's detail: a few findings on top, the full list stays in result.json.
  const allFindings = node.integrity?.findings ?? [];
  const findings = allFindings.slice(0, MAX_FINDINGS);
  const hiddenFindings = allFindings.length - findings.length;
  const bodyHeight = Math.max(3, height - 2 - findings.length - (hiddenFindings > 0 ? 1 : 0));
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate">
        {fit(title, width)}
      </Text>
      {node.error && (
        <Text color={tint('red')} wrap="truncate">
          {fit(node.error, width)}
        </Text>
      )}
      {findings.map((f, i) => (
        <Text key={i} color={tint(f.severity === 'reject' ? 'red' : 'yellow')} wrap="truncate">
          {fit(`integrity ${describeFinding(f)}`, width)}
        </Text>
      ))}
      {hiddenFindings > 0 && <Text dimColor>{fit(`… ${hiddenFindings} more findings in result.json`, width)}</Text>}
      {mode === 'curve' && (
        <>
          <ProgressBar step={node.step} totalSteps={node.totalSteps} width={width} />
          <LossCurve
            node={node.curve}
            record={recordCurve}
            targetLoss={targetLoss}
            timingRule={timingRule}
            width={width}
            height={Math.max(3, bodyHeight - 3)}
          />
        </>
      )}
      {mode !== 'curve' && filesError && <Text color={tint('red')}>{fit(`could not read the node's files: ${filesError}`, width)}</Text>}
      {mode === 'diff' && (files ? <DiffView diff={files.diff} width={width} height={bodyHeight} scroll={scroll} /> : <Text dimColor>loading diff…</Text>)}
      {mode === 'log' && <LogTail lines={logLines(node, files)} width={width} height={bodyHeight} scrollBack={scroll} />}
      {mode === 'agent' && <AgentOutput live={node.live} writing={node.status === 'writing'} width={width} height={bodyHeight} scrollBack={scroll} />}
    </Box>
  );
}

/** What the pane shows: the chosen view, except that the curve of an agent's node still being written is its answer. */
export function paneModeFor(node: Pick<NodeView, 'status' | 'by'>, chosen: PaneMode): PaneMode {
  return chosen === 'curve' && node.status === 'writing' && node.by === 'agent' ? 'agent' : chosen;
}

/** Live lines from the event stream while there are any (this session ran the node), else the saved tail. */
function logLines(node: NodeView, files: NodeFiles | null): string[] {
  if (node.logs.length > 0) return node.logs;
  return files && files.logTail !== '' ? files.logTail.replace(/\n$/, '').split('\n') : [];
}
