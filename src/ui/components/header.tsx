import { Box, Text } from 'ink';
import { formatTime } from '../../core/format-time.js';
import type { RunViewState } from '../state/run-view.js';
import { formatDollars, formatElapsed, formatTokens } from '../format.js';
import { tint } from '../color.js';
import { formatFsr } from '../../core/score/fsr.js';

interface HeaderProps {
  view: RunViewState;
  paused: boolean;
  /** Clock reading now; elapsed time is now minus the run-started reading. */
  nowMs: number;
}

/** Three lines in a box: what is being run, how it is going (times, FSR so far), and what it has cost. */
export function Header({ view, paused, nowMs }: HeaderProps) {
  const agent = view.model ? `${view.agent ?? '—'}/${view.model}` : (view.agent ?? '—');
  const elapsed = view.startedAtMs === null ? '—' : formatElapsed(nowMs - view.startedAtMs);
  const best = view.bestNode === null ? '—' : `${formatTime(view.bestMs)} #${view.bestNode}`;
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      <Box>
        <Box flexGrow={1}>
          <Text wrap="truncate">
            <Text bold>{view.track ?? 'starting…'}</Text>
            {view.record !== null && ` #${view.record}`}
            {` hint ${view.hint ?? '—'} · ${agent} · ${view.scaffold ?? '—'} · seed ${view.seed ?? '—'}`}
            {view.resumed && ' · resumed'}
          </Text>
        </Box>
        {paused && (
          <Text color={tint('yellow')} bold>
            {' '}
            PAUSED
          </Text>
        )}
      </Box>
      <Text wrap="truncate">{`t_i ${formatTime(view.baselineMs)} → t_i+1 ${formatTime(view.targetMs)} · best ${best} · FSR ${formatFsr(view.fsr)}`}</Text>
      <Text wrap="truncate">
        {`${view.order.length} nodes · elapsed ${elapsed} · ${view.llmCalls} LLM calls · ${formatTokens(view.promptTokens + view.completionTokens)} tok ${formatDollars(view.costUsd)}`}
      </Text>
    </Box>
  );
}
