import { sha256Hex } from '../catalog/files.js';
import { readStoreJson } from '../store/damaged-run.js';
import { NODE_FILES, nodeDirOf } from '../store/layout.js';
import { nodeIds, readNodeResult, readNodeText } from '../store/run-store.js';
import { NodeMeta, ProposalRecord } from '../store/schema.js';
import { join } from 'node:path';

/** One draft to classify: its change against its parent (edit.diff) and the agent's note. */
export interface DraftInput {
  node: number;
  parent: number | null;
  diff: string;
  diffSha256: string;
  note: string | null;
}

export interface RunDrafts {
  /** Every draft node of the run (the agent's own, not its experiments), in node order. */
  drafts: number;
  classifiable: DraftInput[];
  skipped: Array<{ node: number; reason: string }>;
}

/**
 * The draft nodes of a run folder: operator `draft` in node.json, written by the agent (not a person, not an
 * experiment an exec agent asked for while writing another node). A draft without a script, or whose edit.diff is
 * empty, is skipped with the reason.
 */
export async function loadRunDrafts(runDir: string): Promise<RunDrafts> {
  const out: RunDrafts = { drafts: 0, classifiable: [], skipped: [] };
  for (const node of await nodeIds(runDir)) {
    const meta = await readStoreJson(runDir, join(nodeDirOf(runDir, node), NODE_FILES.meta), NodeMeta);
    if (!meta || meta.operator !== 'draft' || meta.by !== 'agent' || meta.experiment_of !== undefined) continue;
    out.drafts++;
    const script = await readNodeText(runDir, node, 'script');
    const result = await readNodeResult(runDir, node);
    if (script === null) {
      out.skipped.push({ node, reason: `no script${result ? ` (${result.status})` : ''}` });
      continue;
    }
    const diff = (await readNodeText(runDir, node, 'edit')) ?? '';
    if (diff.trim() === '') {
      out.skipped.push({ node, reason: 'no change against its parent' });
      continue;
    }
    const proposal = await readStoreJson(runDir, join(nodeDirOf(runDir, node), NODE_FILES.proposal), ProposalRecord);
    out.classifiable.push({ node, parent: meta.parent, diff, diffSha256: sha256Hex(diff), note: proposal?.note ?? result?.note ?? null });
  }
  return out;
}
