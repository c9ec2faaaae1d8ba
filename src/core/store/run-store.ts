import { appendFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfPresent, writeFileAtomic, writeJsonAtomic } from '../fs-atomic.js';
import type { SpeedrunEvent } from '../events.js';
import { CALLS_FILE, LlmCallRecord } from '../agent/llm/call-record.js';
import { NodeMeta, NodeResult, ProposalRecord, RunConfig, RunSummary } from './schema.js';

/** What a run folder holds about one node, read back for a resume. */
export interface StoredNode {
  meta: NodeMeta;
  /** The proposal's note once the script is complete on disk; null while the proposal was still being written. */
  proposal: ProposalRecord | null;
  result: NodeResult | null;
}

/**
 * One run's folder: run.json (config + final result), journal.jsonl (append-only events) and nodes/<n>/ (node.json
 * with the decision, then script, edit and proposal.json, then logs and result.json). Each step's marker file is
 * written atomically after its content, so a crash leaves every node in a state a resume can tell apart.
 */
export class RunStore {
  readonly dir: string;
  private pending: Promise<void> = Promise.resolve();
  /** The append at the end of the chain that has not started yet: later lines for the same file join it. */
  private queued: { path: string; lines: string[] } | null = null;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Creates the folder if needed; an existing run folder is opened as it is (a resume). */
  static async open(dir: string): Promise<RunStore> {
    const store = new RunStore(dir);
    await mkdir(join(store.dir, 'nodes'), { recursive: true });
    return store;
  }

  nodeDir(node: number): string {
    return join(this.dir, 'nodes', String(node));
  }

  async writeRun(config: RunConfig, summary: RunSummary | null): Promise<void> {
    await writeJsonAtomic(join(this.dir, 'run.json'), { config, result: summary });
  }

  async readRun(): Promise<{ config: RunConfig; result: RunSummary | null } | null> {
    const raw = await readJsonIfPresent(join(this.dir, 'run.json'));
    if (raw === undefined) return null;
    const { config, result } = raw as { config: unknown; result: unknown };
    return { config: RunConfig.parse(config), result: result === null ? null : RunSummary.parse(result) };
  }

  async writeNodeMeta(meta: NodeMeta): Promise<void> {
    await writeJsonAtomic(join(this.nodeDir(meta.node), 'node.json'), meta);
  }

  async writeNodeFiles(node: number, files: { script: string; edit: string }): Promise<string> {
    const dir = this.nodeDir(node);
    await mkdir(dir, { recursive: true });
    const scriptPath = join(dir, 'train_gpt.py');
    await writeFileAtomic(scriptPath, files.script);
    await writeFileAtomic(join(dir, 'edit.diff'), files.edit);
    return scriptPath;
  }

  /** Marks the proposal complete: written after the script and the edit. */
  async writeProposal(node: number, proposal: ProposalRecord): Promise<void> {
    await writeJsonAtomic(join(this.nodeDir(node), 'proposal.json'), proposal);
  }

  async readNodeFile(node: number, name: string): Promise<string> {
    return readFile(join(this.nodeDir(node), name), 'utf8');
  }

  /** A node's analysis.md, or null when it has none. */
  async readAnalysis(node: number): Promise<string | null> {
    try {
      return (await this.readNodeFile(node, 'analysis.md')).trim() || null;
    } catch {
      return null;
    }
  }

  async writeNodeResult(result: NodeResult): Promise<void> {
    await writeJsonAtomic(join(this.nodeDir(result.node), 'result.json'), result);
  }

  /** Forgets a node's training output and result before it is trained again (an interrupted node on resume). */
  async clearTraining(node: number): Promise<void> {
    for (const file of ['result.json', 'stdout.log', 'stderr.log', 'analysis.md']) await rm(join(this.nodeDir(node), file), { force: true });
  }

  /** Forgets an unfinished proposal (its LLM calls stay on record) before the node is proposed again. */
  async clearProposal(node: number): Promise<void> {
    for (const file of ['train_gpt.py', 'edit.diff', 'proposal.json']) await rm(join(this.nodeDir(node), file), { force: true });
    await this.clearTraining(node);
  }

  /** Every node with a decision on disk, in id order. */
  async readNodes(): Promise<StoredNode[]> {
    const entries = (await readdir(join(this.dir, 'nodes'))).filter((e) => /^\d+$/.test(e)).map(Number).sort((a, b) => a - b);
    const nodes: StoredNode[] = [];
    for (const node of entries) {
      const dir = this.nodeDir(node);
      const meta = await readJsonIfPresent(join(dir, 'node.json'));
      if (meta === undefined) continue; // a folder from before the decision was written: nothing to resume
      const proposal = await readJsonIfPresent(join(dir, 'proposal.json'));
      const result = await readJsonIfPresent(join(dir, 'result.json'));
      nodes.push({
        meta: NodeMeta.parse(meta),
        proposal: proposal === undefined ? null : ProposalRecord.parse(proposal),
        result: result === undefined ? null : NodeResult.parse(result),
      });
    }
    return nodes;
  }

  /** The LLM calls recorded under a node so far. */
  async readCalls(node: number): Promise<LlmCallRecord[]> {
    let text: string;
    try {
      text = await readFile(join(this.nodeDir(node), CALLS_FILE), 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => LlmCallRecord.parse(JSON.parse(l)));
  }

  /**
   * Appends an event in arrival order (appends are chained so a synchronous event sink can call this).
   * Log lines stay in the node's log files and streamed answers in llm-calls.jsonl; the journal keeps the events
   * that change state.
   */
  journal(event: SpeedrunEvent): Promise<void> {
    if (event.type === 'log-line' || event.type === 'llm-delta') return this.pending;
    return this.append(join(this.dir, 'journal.jsonl'), { at: new Date().toISOString(), ...event });
  }

  /** Keeps one LLM call under its node (llm-calls.jsonl), in call order. */
  recordCall(call: LlmCallRecord): Promise<void> {
    const dir = this.nodeDir(call.node);
    this.queued = null; // the folder must exist before this call's line is appended
    this.pending = this.pending.then(() => mkdir(dir, { recursive: true }).then(() => undefined));
    return this.append(join(dir, CALLS_FILE), call);
  }

  private append(path: string, value: unknown): Promise<void> {
    const line = `${JSON.stringify(value)}\n`;
    // Lines that arrive while earlier appends are in flight join one queued write (a burst of metric events is
    // one append, not one per line): the order on disk is unchanged, only the number of writes.
    if (this.queued?.path === path) {
      this.queued.lines.push(line);
      return this.pending;
    }
    const batch = { path, lines: [line] };
    this.queued = batch;
    this.pending = this.pending.then(() => {
      if (this.queued === batch) this.queued = null;
      return appendFile(path, batch.lines.join(''));
    });
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
