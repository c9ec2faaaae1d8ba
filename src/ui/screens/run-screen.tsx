import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import type { CurvePoint, RunHandle, TuiController } from '../controller.js';
import { treeOrder, type RunViewState } from '../state/run-view.js';
import { Header } from '../components/header.js';
import { Tree } from '../components/tree.js';
import { NodePane, paneModeFor, type PaneMode } from '../components/node-pane.js';
import { HelpOverlay } from '../components/help-overlay.js';
import { useKeys } from '../hooks/use-keys.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { useNodeFiles } from '../hooks/use-node-files.js';
import { fit } from '../format.js';
import { tint } from '../color.js';
import { formatFsr } from '../../core/score/fsr.js';

interface RunScreenProps {
  controller: TuiController;
  /** Null while controller.start has not answered yet; the events may already be flowing. */
  handle: RunHandle | null;
  view: RunViewState;
  /** The track's target validation loss (from the catalog), for the curve's target line. */
  targetLoss: number | null;
  onResults: () => void;
  /** The run is over for this UI (quit or finished and dismissed): the app may exit. */
  onExit: () => void;
}

type QuitState = 'running' | 'stopping' | 'stopped';

/** Rows taken by everything but the body: the header box (5) and the status line (1). */
const CHROME_ROWS = 6;
/** Below 100 columns the tree keeps a fixed width; wider terminals share the extra room. */
const NARROW_TREE_WIDTH = 38;

export function RunScreen({ controller, handle, view, targetLoss, onResults, onExit }: RunScreenProps) {
  const { columns, rows } = useTerminalSize();
  const [picked, setPicked] = useState<number | null>(null);
  const [mode, setMode] = useState<PaneMode>('curve');
  const [detail, setDetail] = useState(false);
  const [help, setHelp] = useState(false);
  const [paused, setPaused] = useState(handle?.paused ?? false);
  const [quit, setQuit] = useState<QuitState>('running');
  const [editing, setEditing] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [scroll, setScroll] = useState(0);
  const [recordCurve, setRecordCurve] = useState<CurvePoint[] | null>(null);
  const nowMs = useClock(quit === 'running' && editing === null && view.finished === null);

  const order = treeOrder(view).map((r) => r.id);
  // Until the user picks a node, follow the one training (else the newest), so the screen shows what is happening.
  const selected = picked !== null && view.nodes[picked] ? picked : (view.trainingNode ?? order[order.length - 1] ?? null);
  const node = selected === null ? null : (view.nodes[selected] ?? null);
  // Only the diff and log views read the node's files.
  const needsFiles = mode === 'diff' || mode === 'log';
  const { files, error: filesError } = useNodeFiles(controller, handle?.runDir ?? null, needsFiles ? selected : null, node?.status ?? null);
  // The log and the streaming answer follow their end, so PgUp scrolls back from it; the diff scrolls down from its top.
  const scrollsBack = node !== null && ['log', 'agent'].includes(paneModeFor(node, mode));

  useEffect(() => {
    if (view.track === null || view.record === null) return;
    let current = true;
    controller.recordCurve(view.track, view.record).then(
      (curve) => current && setRecordCurve(curve),
      () => current && setRecordCurve(null),
    );
    return () => {
      current = false;
    };
  }, [controller, view.track, view.record]);

  useEffect(() => {
    if (quit === 'stopped') onExit();
  }, [quit, onExit]);

  const move = (delta: number) => {
    if (order.length === 0) return;
    const at = selected === null ? -1 : order.indexOf(selected);
    const next = order[Math.max(0, Math.min(order.length - 1, at + delta))];
    if (next !== undefined) setPicked(next);
    setScroll(0);
  };

  const startEdit = (id: number) => {
    if (!handle) return;
    setEditing(id);
    handle
      .editNode(id)
      .then(
        (changed) => setNotice(changed ? `your edit of #${id} was submitted as a new node` : `no change to #${id}; nothing submitted`),
        (err: unknown) => setNotice(`edit failed: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => setEditing(null));
  };

  const stop = () => {
    if (!handle || quit !== 'running') return onExit();
    setQuit('stopping');
    handle.quit().then(
      () => setQuit('stopped'),
      (err: unknown) => {
        setNotice(`quit failed: ${err instanceof Error ? err.message : String(err)}`);
        setQuit('stopped');
      },
    );
  };

  // While $EDITOR owns the terminal no key is read (raw mode is released) and nothing below changes on screen.
  useKeys(
    (input, key) => {
      if (help) {
        if (input === '?' || key.escape) setHelp(false);
        return;
      }
      if (key.upArrow) move(-1);
      else if (key.downArrow) move(1);
      else if (key.return) setDetail((d) => !d);
      else if (input === 'd') toggleMode('diff');
      else if (input === 'l') toggleMode('log');
      else if (input === 'a') toggleMode('agent');
      else if (key.pageDown) setScroll((s) => (scrollsBack ? Math.max(0, s - 10) : s + 10));
      else if (key.pageUp) setScroll((s) => (scrollsBack ? s + 10 : Math.max(0, s - 10)));
      else if (input === '?') setHelp(true);
      else if (input === 'p' && handle && !view.finished) {
        if (handle.paused) handle.resume();
        else handle.pause();
        setPaused(handle.paused);
      } else if (input === 'e' && selected !== null && !view.finished) startEdit(selected);
      else if (input === 'r' && view.finished) onResults();
      else if (input === 'q') {
        if (view.finished) onExit();
        else stop();
      }
    },
    editing === null && quit === 'running',
  );

  function toggleMode(next: PaneMode) {
    setMode((m) => (m === next ? 'curve' : next));
    setScroll(0);
  }

  if (editing !== null) return <Text>{`editing #${editing} in $EDITOR… save and close it to submit a new node`}</Text>;
  if (quit === 'stopped' && handle) {
    return <Text>{`stopped; resume with speedrun bench --resume ${handle.benchDir}`}</Text>;
  }

  const bodyHeight = Math.max(6, rows - CHROME_ROWS);
  const treeWidth = detail ? 0 : columns < 100 ? NARROW_TREE_WIDTH : Math.floor(columns * 0.4);
  const paneWidth = Math.max(20, columns - treeWidth - (detail ? 0 : 2));
  return (
    <Box flexDirection="column" width={columns}>
      <Header view={view} paused={paused} nowMs={nowMs} />
      {help ? (
        <HelpOverlay />
      ) : (
        <Box height={bodyHeight}>
          {!detail && <Tree view={view} selected={selected} width={treeWidth} height={bodyHeight} />}
          {!detail && <Box width={2} />}
          <NodePane
            node={node}
            mode={mode}
            files={files}
            filesError={filesError}
            recordCurve={recordCurve}
            targetLoss={view.targetValLoss ?? targetLoss}
            timingRule={view.timingRule}
            width={paneWidth}
            height={bodyHeight}
            scroll={scroll}
          />
        </Box>
      )}
      <StatusLine view={view} quit={quit} notice={notice} width={columns} />
    </Box>
  );
}

/** One line at the bottom: the run's end and FSR, else the last error or notice, else the main keys. */
function StatusLine({ view, quit, notice, width }: { view: RunViewState; quit: QuitState; notice: string | null; width: number }) {
  if (quit === 'stopping') return <Text color={tint('yellow')}>stopping… (nodes in flight are being stopped)</Text>;
  if (view.finished) {
    return (
      <Text color={tint('green')} bold wrap="truncate">
        {fit(`run ${view.finished.status} · FSR ${formatFsr(view.finished.fsr)} · r results · q quit`, width)}
      </Text>
    );
  }
  if (view.lastError)
    return (
      <Text color={tint('red')} wrap="truncate">
        {fit(`error: ${view.lastError}`, width)}
      </Text>
    );
  if (view.scoring) {
    // After the search: the best node, record i (and i+1) train again, interleaved, for the claimed score.
    return (
      <Text color={tint('cyan')} wrap="truncate">
        {fit(`scoring round: ${view.scoring.done}/${view.scoring.total} trainings (best node and records, interleaved) · q quit`, width)}
      </Text>
    );
  }
  if (notice)
    return (
      <Text color={tint('yellow')} wrap="truncate">
        {fit(notice, width)}
      </Text>
    );
  // `a` is named only where it fits: at 80 columns the line would lose `? help`, which lists it.
  const agentKey = width >= 90 ? ' · a agent' : '';
  return (
    <Text dimColor wrap="truncate">
      {fit(`↑/↓ node · enter detail · d diff · l log${agentKey} · p pause · e edit · q quit · ? help`, width)}
    </Text>
  );
}

/** A clock ticking once a second while `running`, for the header's elapsed time. */
function useClock(running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  return now;
}
