import { render } from 'ink';
import type { SetupChoices, TuiController } from './controller.js';
import { App } from './app.js';

export interface RunTuiOptions {
  /** Skip the setup form: the flags gave everything a run needs. */
  autoStart?: boolean;
}

/**
 * The CLI's entry to the terminal UI (imported lazily so headless commands never load ink or React). Resolves
 * when the user leaves the app.
 */
export async function runTui(controller: TuiController, initial: Partial<SetupChoices> = {}, opts: RunTuiOptions = {}): Promise<void> {
  const instance = render(<App controller={controller} initial={initial} autoStart={opts.autoStart ?? false} />);
  await instance.waitUntilExit();
}
