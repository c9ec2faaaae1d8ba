import { sha256Hex } from '../catalog/files.js';
import { checkScript } from '../measure/integrity.js';
import { auditOf, describeFinding, type IntegrityReport, type NodeAudit } from '../measure/integrity-report.js';
import { nodeResult } from '../store/node-result.js';
import type { LlmUsage, NodeResult } from '../store/schema.js';

/** Compares a node's script with the run's baseline record script; injected so tests can stub or drop it. */
export type ScriptChecker = (input: { script: string; baseline: string }) => Promise<IntegrityReport>;

/** The shipped checker (python/integrity_check.py) on the given interpreter: it needs only the standard library. */
export function pythonChecker(python: string): ScriptChecker {
  return ({ script, baseline }) => checkScript({ script, baseline, python });
}

/** The run's integrity gate: every node's script is audited against the one baseline the task starts from. */
export interface IntegrityGate {
  check(script: string): Promise<NodeAudit>;
}

export function integrityGate(baseline: string, checker: ScriptChecker): IntegrityGate {
  const baselineSha = sha256Hex(baseline);
  return { check: async (script) => auditOf(await checker({ script, baseline }), script, baselineSha) };
}

/**
 * A node whose script the check rejected. It is not trained: nothing it measured could count, training it costs
 * a slot, and the tricks that reject a script (network, subprocesses, patched clocks) are best never run at all.
 */
export function rejectedNode(place: Pick<NodeResult, 'node' | 'parent' | 'second_parent' | 'operator'>, script: string, audit: NodeAudit, note: string, llm: LlmUsage): NodeResult {
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
