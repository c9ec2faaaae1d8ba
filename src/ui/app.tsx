import { useCallback, useEffect, useReducer, useState } from 'react';
import { Box, Text, useApp } from 'ink';
import type { SpeedrunEvent } from '../core/events.js';
import type { RunHandle, SetupCatalog, SetupChoices, TuiController } from './controller.js';
import { initialRunView, reduceRunView, type RunViewState } from './state/run-view.js';
import { initialChoices, modelUse } from './state/setup-form.js';
import { SetupScreen } from './screens/setup-screen.js';
import { RunScreen } from './screens/run-screen.js';
import { ResultsScreen } from './screens/results-screen.js';
import { useKeys } from './hooks/use-keys.js';
import { tint } from './color.js';

export interface AppProps {
  controller: TuiController;
  /** From the command line's flags: pre-fill the setup form. */
  initial?: Partial<SetupChoices>;
  /** The flags gave everything needed: start the run without showing the setup form. */
  autoStart?: boolean;
}

type Screen = 'loading' | 'setup' | 'run' | 'results';

type ViewAction = { kind: 'event'; event: SpeedrunEvent; at: number } | { kind: 'reset'; model: string | null };

function viewReducer(state: RunViewState, action: ViewAction): RunViewState {
  return action.kind === 'reset' ? initialRunView(action.model) : reduceRunView(state, action.event, action.at);
}

/** setup → run → results; the controller is the only way to the core. */
export function App({ controller, initial = {}, autoStart = false }: AppProps) {
  const { exit } = useApp();
  const [screen, setScreen] = useState<Screen>('loading');
  const [catalog, setCatalog] = useState<SetupCatalog | null>(null);
  const [last, setLast] = useState<Partial<SetupChoices>>({});
  const [fatal, setFatal] = useState<string | null>(null);
  const [handle, setHandle] = useState<RunHandle | null>(null);
  const [choices, setChoices] = useState<SetupChoices | null>(null);
  const [view, dispatch] = useReducer(viewReducer, null, () => initialRunView());

  const startRun = useCallback(
    (chosen: SetupChoices) => {
      setChoices(chosen);
      dispatch({ kind: 'reset', model: modelUse(chosen.agent) === 'none' ? null : (chosen.model ?? null) });
      setScreen('run');
      controller
        .start(chosen, (event) => dispatch({ kind: 'event', event, at: Date.now() }))
        .then(
          (started) => {
            setHandle(started);
            // A run that fails outright shows as an error line; the screen stays so its nodes can be read.
            started.done.catch((err: unknown) =>
              dispatch({ kind: 'event', event: { type: 'error', message: err instanceof Error ? err.message : String(err) }, at: Date.now() }),
            );
          },
          (err: unknown) => setFatal(`could not start the run: ${err instanceof Error ? err.message : String(err)}`),
        );
    },
    [controller],
  );

  useEffect(() => {
    let current = true;
    Promise.all([controller.catalog(), controller.lastChoices().catch(() => ({}))]).then(
      ([loaded, remembered]) => {
        if (!current) return;
        setCatalog(loaded);
        setLast(remembered);
        if (autoStart && loaded.tracks.length > 0) startRun(initialChoices(loaded, remembered, initial));
        else setScreen('setup');
      },
      (err: unknown) => current && setFatal(`could not read the catalog: ${err instanceof Error ? err.message : String(err)}`),
    );
    return () => {
      current = false;
    };
    // Loads once: the flags and autoStart are the command line's, fixed for the app's life.
  }, [controller]);

  useKeys((input, key) => {
    if (input === 'q' || key.escape) exit();
  }, fatal !== null);

  if (fatal !== null) {
    return (
      <Box flexDirection="column">
        <Text color={tint('red')}>{fatal}</Text>
        <Text dimColor>q leaves</Text>
      </Box>
    );
  }
  if (screen === 'loading' || catalog === null) return <Text dimColor>loading the catalog…</Text>;
  if (screen === 'setup') {
    return <SetupScreen controller={controller} catalog={catalog} last={last} flags={initial} onStart={startRun} onCancel={exit} />;
  }
  if (screen === 'results' && handle) {
    return <ResultsScreen controller={controller} dir={handle.benchDir} onBack={() => setScreen('run')} />;
  }
  const targetLoss = catalog.tracks.find((t) => t.name === choices?.track)?.target_val_loss ?? null;
  return <RunScreen controller={controller} handle={handle} view={view} targetLoss={targetLoss} onResults={() => setScreen('results')} onExit={exit} />;
}
