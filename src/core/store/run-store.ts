import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../fs-atomic.js';
import type { SpeedrunEvent } from '../events.js';
import { CALLS_FILE, type LlmCallRecord } from '../agent/llm/call-record.js';
import type { NodeResult, RunConfig, RunSummary } from './schema.js';

/**
 * One run's folder: run.json (config + final result), journal.jsonl (append-only events) and
 * nodes/<n>/ (script, edit, logs, result). Everything except the journal is written atomically.
 */
export class RunStore {
  readonly dir: string;
  private pending: Promise<void> = Promise.resolve();

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async create(resultsRoot: string, runId: string): Promise<RunStore> {
    const store = new RunStore(join(resultsRoot, runId));
    await mkdir(join(store.dir, 'nodes'), { recursive: true });
    return store;
  }

  nodeDir(node: number): string {
    return join(this.dir, 'nodes', String(node));
  }

  async writeRun(config: RunConfig, summary: RunSummary | null): Promise<void> {
    await writeJsonAtomic(join(this.dir, 'run.json'), { config, result: summary });
  }

  async writeNodeFiles(node: number, files: { script: string; edit: string }): Promise<string> {
    const dir = this.nodeDir(node);
    await mkdir(dir, { recursive: true });
    const scriptPath = join(dir, 'train_gpt.py');
    await writeFileAtomic(scriptPath, files.script);
    await writeFileAtomic(join(dir, 'edit.diff'), files.edit);
    return scriptPath;
  }

  async writeNodeResult(result: NodeResult): Promise<void> {
    await writeJsonAtomic(join(this.nodeDir(result.node), 'result.json'), result);
  }

  /**
   * Appends an event in arrival order (appends are chained so a synchronous event sink can call this).
   * Log lines stay in the node's log files; the journal keeps the events that change state.
   */
  journal(event: SpeedrunEvent): Promise<void> {
    if (event.type === 'log-line') return this.pending;
    return this.append(join(this.dir, 'journal.jsonl'), { at: new Date().toISOString(), ...event });
  }

  /** Keeps one LLM call under its node (llm-calls.jsonl), in call order. */
  recordCall(call: LlmCallRecord): Promise<void> {
    const dir = this.nodeDir(call.node);
    this.pending = this.pending.then(() => mkdir(dir, { recursive: true }).then(() => undefined));
    return this.append(join(dir, CALLS_FILE), call);
  }

  private append(path: string, value: unknown): Promise<void> {
    const line = `${JSON.stringify(value)}\n`;
    this.pending = this.pending.then(() => appendFile(path, line));
    return this.pending;
  }

  /** Resolves when every journal append so far is on disk. */
  flush(): Promise<void> {
    return this.pending;
  }

  async writeText(relative: string, text: string): Promise<void> {
    await writeFile(join(this.dir, relative), text);
  }

  async writeNodeText(node: number, name: string, text: string): Promise<void> {
    await mkdir(this.nodeDir(node), { recursive: true });
    await writeFileAtomic(join(this.nodeDir(node), name), text);
  }
}
