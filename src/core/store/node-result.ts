import type { NodeResult } from './schema.js';

type Required = Pick<NodeResult, 'node' | 'parent' | 'operator' | 'status' | 'measured_by'>;

/** A node result with everything not given left empty (no script hash, times, log or LLM use). */
export function nodeResult(fields: Required & Partial<NodeResult>): NodeResult {
  return {
    second_parent: null,
    duplicate_of: null,
    script_sha256: null,
    time_to_target_ms: null,
    val_loss_at_target: null,
    final: null,
    wall_ms: null,
    exit_code: null,
    stderr_tail: '',
    warnings: [],
    note: null,
    error: null,
    llm: null,
    integrity: null,
    ...fields,
  };
}
