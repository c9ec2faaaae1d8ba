import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { appendInFolder, inFolder, writeFileAtomic, writeJsonAtomic } from '../fs-atomic.js';
import { CALLS_FILE, LlmCallRecord } from './call-record.js';
import { readStoreJson } from './damaged-run.js';
import { HINT_FILE, JOURNAL_FILE, NODE_FILES, NODES_DIR, nodeDirOf, RUN_FILE, type NodeFileName } from './layout.js';
import { NodeMeta, NodeResult, ProposalRecord, RunConfig, RunFile, RunSummary } from './schema.js';

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
  /** The journal lines of this turn of the event loop, not yet appended. */
  private batch: { lines: string[]; written: Promise<void> } | null = null;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Creates the folder if needed; an existing run folder is opened as it is (a resume). */
  static async open(dir: string): Promise<RunStore> {
    const store = new RunStore(dir);
    await mkdir(join(store.dir, NODES_DIR), { recursive: true });
    return store;
  }

  nodeDir(node: number): string {
    return nodeDirOf(this.dir, node);
  }

  async writeRun(config: RunConfig, summary: RunSummary | null): Promise<void> {
    await writeJsonAtomic(join(this.dir, RUN_FILE), { config, result: summary } satisfies RunFile);
  }

  /** run.json, or null before the run's first write; a damaged one throws DamagedRunError. */
  readRun(): Promise<RunFile | null> {
    return readRunFile(this.dir);
  }

  /** The hint the agent was given (hint.md), for a person reading the folder. */
  async writeText(name: typeof HINT_FILE, text: string): Promise<void> {
    await writeFile(join(this.dir, name), text);
  }

  async writeNodeMeta(meta: NodeMeta): Promise<void> {
    await writeJsonAtomic(join(this.nodeDir(meta.node), NODE_FILES.meta), meta);
  }

  /** The script and the edit, before the proposal that marks them complete: they need no atomic rename. */
  async writeNodeFiles(node: number, files: { script: string; edit: string }): Promise<string> {
    const dir = this.nodeDir(node);
    const scriptPath = join(dir, NODE_FILES.script);
    inFolder(dir, () => writeFileSync(scriptPath, files.script));
    writeFileSync(join(dir, NODE_FILES.edit), files.edit);
    return scriptPath;
  }

  /** Marks the proposal complete: written after the script and the edit. */
  async writeProposal(node: number, proposal: ProposalRecord): Promise<void> {
    await writeJsonAtomic(join(this.nodeDir(node), NODE_FILES.proposal), proposal);
  }

  async readNodeFile(node: number, name: NodeFileName): Promise<string> {
    return readFileSync(join(this.nodeDir(node), name), 'utf8');
  }

  /** A node's analysis.md, or null when it has none. */
  async readAnalysis(node: number): Promise<string | null> {
    try {
      return (await this.readNodeFile(node, NODE_FILES.analysis)).trim() || null;
    } catch {
      return null;
    }
  }

  async writeNodeResult(result: NodeResult): Promise<void> {
    await writeJsonAtomic(join(this.nodeDir(result.node), NODE_FILES.result), result);
  }

  /** Forgets a node's training output and result before it is trained again (an interrupted node on resume). */
  async clearTraining(node: number): Promise<void> {
    for (const file of [NODE_FILES.result, NODE_FILES.stdout, NODE_FILES.stderr, NODE_FILES.analysis])
      await rm(join(this.nodeDir(node), file), { force: true });
  }

  /** Forgets an unfinished proposal (its LLM calls stay on record) before the node is proposed again. */
  async clearProposal(node: number): Promise<void> {
    for (const file of [NODE_FILES.script, NODE_FILES.edit, NODE_FILES.proposal]) await rm(join(this.nodeDir(node), file), { force: true });
    await this.clearTraining(node);
  }

  /** Every node with a decision on disk, in id order; a damaged node file throws DamagedRunError. */
  async readNodes(): Promise<StoredNode[]> {
    const nodes: StoredNode[] = [];
    for (const node of await nodeIds(this.dir)) {
      const file = (name: keyof typeof NODE_FILES) => join(this.nodeDir(node), NODE_FILES[name]);
      const meta = await readStoreJson(this.dir, file('meta'), NodeMeta);
      if (meta === undefined) continue; // a folder from before the decision was written: nothing to resume
      const proposal = await readStoreJson(this.dir, file('proposal'), ProposalRecord);
      const result = await readStoreJson(this.dir, file('result'), NodeResult);
      nodes.push({ meta, proposal: proposal ?? null, result: result ?? null });
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
   * Appends an event, in arrival order. Events of one turn of the event loop are one append (a burst of metric
   * events from one chunk of a log is one write), made before the next turn. Log lines stay in the node's log files
   * and streamed answers in llm-calls.jsonl; the journal keeps the events that change state. Any event of the
   * stream (core/events.ts, a layer above the store) is an object with a type.
   */
  journal(event: { type: string }): Promise<void> {
    if (event.type === 'log-line' || event.type === 'llm-delta') return this.flush();
    const line = `${JSON.stringify({ at: new Date().toISOString(), ...event })}\n`;
    if (this.batch) {
      this.batch.lines.push(line);
      return this.batch.written;
    }
    const lines = [line];
    const written = new Promise<void>((resolve, reject) =>
      queueMicrotask(() => {
        this.batch = null;
        try {
          appendInFolder(join(this.dir, JOURNAL_FILE), lines.join(''));
          resolve();
        } catch (error) {
          reject(error);
        }
      }),
    );
    this.batch = { lines, written };
    return written;
  }

  /** Resolves when every journal event so far is on disk. */
  flush(): Promise<void> {
    return this.batch?.written ?? Promise.resolve();
  }

  /** Keeps one LLM call under its node (llm-calls.jsonl), in call order. */
  async recordCall(call: LlmCallRecord): Promise<void> {
    appendInFolder(join(this.nodeDir(call.node), CALLS_FILE), `${JSON.stringify(call)}\n`);
  }

  async writeNodeText(node: number, name: NodeFileName, text: string): Promise<void> {
    await writeFileAtomic(join(this.nodeDir(node), name), text);
  }
}

/** A run folder's run.json without opening the folder for writing; null when there is none. */
export async function readRunFile(runDir: string): Promise<RunFile | null> {
  return (await readStoreJson(runDir, join(runDir, RUN_FILE), RunFile)) ?? null;
}

/** A node's text file (script, edit, a log) without opening the run for writing; null when the node has none. */
export async function readNodeText(runDir: string, node: number, file: keyof typeof NODE_FILES): Promise<string | null> {
  try {
    return await readFile(join(nodeDirOf(runDir, node), NODE_FILES[file]), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The node ids with a folder under nodes/, in order. */
export async function nodeIds(runDir: string): Promise<number[]> {
  const entries = await readdir(join(runDir, NODES_DIR)).catch(() => [] as string[]);
  return entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .sort((a, b) => a - b);
}

/** A node's result.json, or null when the node has none yet; a damaged one throws DamagedRunError. */
export async function readNodeResult(runDir: string, node: number): Promise<NodeResult | null> {
  return (await readStoreJson(runDir, join(nodeDirOf(runDir, node), NODE_FILES.result), NodeResult)) ?? null;
}
