import { execa } from 'execa';

/** A program running in a detached tmux session of a given size: what a person at a real terminal would see. */
export interface TmuxSession {
  screen(): Promise<string>;
  keys(...keys: string[]): Promise<void>;
  /** Waits until the screen matches, failing with the last screen after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
  kill(): Promise<void>;
}

let sessions = 0;

export async function startTmux(command: string, opts: { columns: number; rows: number; env: Record<string, string>; cwd: string }): Promise<TmuxSession> {
  const name = `speedrun-test-${process.pid}-${++sessions}`;
  // CI=true makes ink print only its last frame; a person's terminal has no CI variable.
  const env = Object.entries({ TERM: 'xterm-256color', ...opts.env })
    .map(([k, v]) => `${k}=${shellQuote(v)}`)
    .join(' ');
  await execa('tmux', [
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    String(opts.columns),
    '-y',
    String(opts.rows),
    '-c',
    opts.cwd,
    `env -u CI ${env} ${command}; sleep 600`,
  ]);
  const screen = async () => (await execa('tmux', ['capture-pane', '-p', '-t', name])).stdout;
  return {
    screen,
    async keys(...keys) {
      for (const key of keys) {
        await execa('tmux', ['send-keys', '-t', name, key]);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    },
    async waitFor(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        last = await screen();
        if (pattern.test(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`screen never matched ${pattern} within ${timeoutMs} ms; last screen:\n${last}`);
    },
    async kill() {
      await execa('tmux', ['kill-session', '-t', name], { reject: false });
    },
  };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
