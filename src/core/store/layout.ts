import { join } from 'node:path';

/**
 * The names of everything in a results folder, in one place (README "Results" describes the format). This
 * module imports nothing of the project, so executors, which write a node's logs, may name them from here too.
 *
 * A run folder: run.json (config, then the summary once it ends), trajectory.json, journal.jsonl, hint.md, a .git of node commits,
 * nodes/<n>/ (NODE_FILES), scoring/ (the scoring round), verification/ and verification.json (`speedrun verify`).
 * A bench folder: bench.json and one run folder per cell. Either holds the writer's lock while one writes it.
 */

/** A bench folder's spec and run ids (bench-manifest.ts); one run folder per cell lies beside it. */
export const BENCH_FILE = 'bench.json';
export const RUN_FILE = 'run.json';
export const JOURNAL_FILE = 'journal.jsonl';
export const HINT_FILE = 'hint.md';
export const NODES_DIR = 'nodes';
/** The folder `speedrun verify` trains in, beside nodes/, and the verdict it writes beside run.json. */
export const VERIFICATION_DIR = 'verification';
export const VERIFICATION_FILE = 'verification.json';
/** The run as one ATIF trajectory (store/trajectory.ts), written beside run.json when the run ends. */
export const TRAJECTORY_FILE = 'trajectory.json';
/** `speedrun judge`: the judged reproduction of the best node (store/judge-file.ts) and every judge call made for it. */
export const JUDGE_FILE = 'judge.json';
export const JUDGE_CALLS_FILE = 'judge-calls.jsonl';
/** `speedrun ideas`: the class of each draft's idea and the runs' entropy (store/ideas-file.ts), and every call made for them. */
export const IDEAS_FILE = 'ideas.json';
export const IDEAS_CALLS_FILE = 'ideas-calls.jsonl';
/** `speedrun distance`: the best node's embedding distances to records i and i+1 (store/distance-file.ts) and every embedding call made for them. */
export const DISTANCE_FILE = 'distance.json';
export const EMBEDDING_CALLS_FILE = 'embedding-calls.jsonl';
/** The scoring round's trainings (one folder each) and round.json. */
export const ROUND_FOLDER = 'scoring';
/** The lock of the one process that writes a run or bench folder (folder-lock.ts); a dot file, so walkers skip it. */
export const LOCK_FILE = '.speedrun-lock.json';

/** A node's files, in the order they are written: decision, script and edit, proposal, logs, result, analysis. */
export const NODE_FILES = {
  meta: 'node.json',
  script: 'train_gpt.py',
  edit: 'edit.diff',
  proposal: 'proposal.json',
  stdout: 'stdout.log',
  stderr: 'stderr.log',
  result: 'result.json',
  analysis: 'analysis.md',
  /** The node's LLM calls, one JSON record per line (store/call-record.ts). */
  calls: 'llm-calls.jsonl',
  /** An exec agent's output while it wrote the node (docs/agent-protocol.md). */
  agentStdout: 'agent-stdout.log',
  agentStderr: 'agent-stderr.log',
} as const;
export type NodeFileName = (typeof NODE_FILES)[keyof typeof NODE_FILES];

/** An exec agent's folder under its node: the workspace it edits in (its HOME is inside it). */
export const AGENT_DIRS = { workspace: 'workspace' } as const;

export function nodeDirOf(runDir: string, node: number): string {
  return join(runDir, NODES_DIR, String(node));
}
