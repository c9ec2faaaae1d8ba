import { readFile } from 'node:fs/promises';
import { resolveRecordScript } from '../catalog/catalog.js';
import { sha256Hex } from '../catalog/files.js';
import type { TimingRule, TrackManifest } from '../catalog/schema.js';
import type { CacheLayout } from '../paths.js';
import { checkScript } from '../measure/integrity.js';
import { auditOf, describeFinding, type IntegrityReport, type NodeAudit } from '../measure/integrity-report.js';
import { nodeResult } from '../store/node-result.js';
import type { LlmUsage, NodeResult } from '../store/schema.js';

/** What a node's script is audited against: the task's baseline record and, where known, its true next record. */
export interface AuditTask {
  baseline: string;
  /** Record i+1's script: what it changes the same way is the task itself (flagged as the record's own). */
  reference: string | null;
  /** Absolute path prefixes the track lets a script read. */
  allowedPaths?: readonly string[];
  /** The track's timing rule (under first-crossing the validation schedule is part of the measurement). */
  timingRule?: TimingRule;
}

/** The task of record i: its script, record i+1's (the change the task is about) and the track's allowed paths. */
export async function auditTask(manifest: TrackManifest, record: number, baseline: string, cache: CacheLayout): Promise<AuditTask> {
  const reference = await readFile(await resolveRecordScript(manifest, record + 1, cache), 'utf8');
  return { baseline, reference, allowedPaths: manifest.allowed_paths ?? [], timingRule: manifest.timing_rule };
}

/** Compares a node's script with the run's task scripts; injected so tests can stub or drop it. */
export type ScriptChecker = (input: AuditTask & { script: string }) => Promise<IntegrityReport>;

/** The shipped checker (python/integrity_check.py) on the given interpreter: it needs only the standard library. */
export function pythonChecker(python: string): ScriptChecker {
  return (input) => checkScript({ ...input, python });
}

/** The run's integrity gate: every node's script is audited against the one task the run starts from. */
export interface IntegrityGate {
  check(script: string): Promise<NodeAudit>;
}

export function integrityGate(task: AuditTask, checker: ScriptChecker): IntegrityGate {
  const baselineSha = sha256Hex(task.baseline);
  return { check: async (script) => auditOf(await checker({ ...task, script }), script, baselineSha) };
}

/**
 * A node whose script the check rejected. It is not trained: nothing it measured could count, training it costs
 * a slot, and the tricks that reject a script (network, subprocesses, patched clocks) are best never run at all.
 */
export function rejectedNode(
  place: Pick<NodeResult, 'node' | 'parent' | 'second_parent' | 'operator'>,
  script: string,
  audit: NodeAudit,
  note: string,
  llm: LlmUsage,
): NodeResult {
  const rejects = audit.findings.filter((f) => f.severity === 'reject');
  return nodeResult({
    ...place,
    status: 'rejected',
    measured_by: 'integrity-check',
    script_sha256: sha256Hex(script),
    note,
    llm,
    error: `rejected by the integrity check: ${rejects.map(describeFinding).join('; ')}`,
    integrity: audit,
  });
}
