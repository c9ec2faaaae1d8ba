/**
 * One live headless Chromium (Debian's) driven through the DevTools protocol over `--remote-debugging-pipe`: JSON
 * messages ended by NUL, commands written to its fd 3, answers and events read from its fd 4. Enough of the protocol
 * to click through a page as a user does: evaluate, navigate, a real mouse click at an element's centre, screenshots.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

type Message = { id?: number; method?: string; params?: Record<string, unknown>; result?: unknown; error?: { message: string }; sessionId?: string };

export class Browser {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  private readonly listeners: Array<(m: Message) => void> = [];
  private sessionId: string | undefined;
  /** Uncaught errors in the page (Runtime.exceptionThrown), for a test to assert there are none. */
  readonly pageErrors: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly input: Writable,
    output: Readable,
  ) {
    let buffer = '';
    output.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\0'); end >= 0; end = buffer.indexOf('\0')) {
        this.receive(JSON.parse(buffer.slice(0, end)) as Message);
        buffer = buffer.slice(end + 1);
      }
    });
    child.on('exit', () => {
      for (const [, call] of this.pending) call.reject(new Error(`chromium exited during ${call.method}`));
      this.pending.clear();
    });
  }

  /** Starts Chromium on about:blank and attaches to its page. */
  static async launch(opts: { width: number; height: number; profileDir: string }): Promise<Browser> {
    const args = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--force-device-scale-factor=1', '--no-first-run'];
    args.push('--no-default-browser-check', '--remote-debugging-pipe', `--window-size=${opts.width},${opts.height}`, `--user-data-dir=${opts.profileDir}`);
    const child = spawn('chromium', [...args, 'about:blank'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    const browser = new Browser(child, child.stdio[3] as Writable, child.stdio[4] as Readable);
    const { targetInfos } = await browser.send<{ targetInfos: Array<{ targetId: string; type: string }> }>('Target.getTargets');
    const page = targetInfos.find((t) => t.type === 'page');
    if (!page) throw new Error('chromium opened no page');
    browser.sessionId = (await browser.send<{ sessionId: string }>('Target.attachToTarget', { targetId: page.targetId, flatten: true })).sessionId;
    browser.on('Runtime.exceptionThrown', (p) => browser.pageErrors.push(JSON.stringify((p.exceptionDetails as { exception?: unknown })?.exception ?? p)));
    await browser.send('Emulation.setDeviceMetricsOverride', { width: opts.width, height: opts.height, deviceScaleFactor: 1, mobile: false });
    await browser.send('Page.enable');
    await browser.send('Runtime.enable');
    return browser;
  }

  /** Sends a command (to the page once attached) and resolves with its result. */
  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    const message = { id, method, params, ...(this.sessionId && { sessionId: this.sessionId }) };
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      this.input.write(`${JSON.stringify(message)}\0`);
    });
  }

  /** Calls `handler` with the params of every event named `method`. */
  on(method: string, handler: (params: Record<string, unknown>) => void): void {
    this.listeners.push((m) => m.method === method && handler(m.params ?? {}));
  }

  /** The value of a JavaScript expression in the page (promises awaited); a thrown error fails the call. */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.send<{ result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>(
      'Runtime.evaluate',
      { expression, returnByValue: true, awaitPromise: true },
    );
    if (exceptionDetails) throw new Error(`in the page: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value as T;
  }

  /** Polls `expression` until it is truthy, failing with `what` at the deadline: no fixed waits. */
  async waitFor<T>(expression: string, what: string, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      // A page being replaced has no context to evaluate in for a moment: that is not yet, not a failure.
      const value = await this.evaluate<T>(expression).catch((error: Error) => void (last = `: ${error.message}`));
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async navigate(url: string): Promise<void> {
    const { errorText } = await this.send<{ errorText?: string }>('Page.navigate', { url });
    if (errorText) throw new Error(`could not open ${url}: ${errorText}`);
  }

  /**
   * A left click with the mouse at the centre of the first element matching `selector` (whose text matches `text`,
   * if given), scrolled into view first: the browser decides what is hit, as for a user.
   */
  async click(selector: string, text?: RegExp): Promise<void> {
    const find = `[...document.querySelectorAll(${JSON.stringify(selector)})].find((el) => ${text ? `${text.toString()}.test(el.textContent)` : 'true'})`;
    const box = await this.waitFor<{ x: number; y: number }>(
      `(() => { const el = ${find}; if (!el) return null; el.scrollIntoView({ block: 'center' }); const r = el.getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; })()`,
      `an element ${selector}${text ? ` with text ${text}` : ''} to click`,
    );
    const at = { x: box.x, y: box.y, button: 'left', clickCount: 1 };
    await this.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: at.x, y: at.y });
    await this.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...at });
    await this.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...at });
  }

  /** Types into the focused element, as a keyboard would (input events fire). */
  async type(text: string): Promise<void> {
    await this.send('Input.insertText', { text });
  }

  /** A PNG of what the page shows now. */
  async screenshot(): Promise<Buffer> {
    const { data } = await this.send<{ data: string }>('Page.captureScreenshot', { format: 'png' });
    return Buffer.from(data, 'base64');
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.sessionId = undefined;
    await Promise.race([this.send('Browser.close').catch(() => undefined), exited]);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private receive(message: Message): void {
    if (message.id !== undefined) {
      const call = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) call?.reject(new Error(`${call.method}: ${message.error.message}`));
      else call?.resolve(message.result);
      return;
    }
    for (const listener of this.listeners) listener(message);
  }
}
