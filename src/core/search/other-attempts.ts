import type { NodeHistory } from '../agent/agent.js';
import type { NodeMeta, NodeResult } from '../store/schema.js';

/** How many other attempts a prompt shows: enough to steer away from dead ends, few enough to keep it bounded. */
export const MAX_OTHER_ATTEMPTS = 8;

/**
 * The nodes a prompt should warn about: those outside the new node's ancestry (which its history shows) that
 * failed or were not faster than their parent. Children of the same parent come first, then the rest of the run,
 * newest first within each, capped at `limit`; returned oldest first, as the prompt lists them. Nodes that never had
 * a script (edit-failed, agent-error) or were stopped say nothing about an idea and are left out.
 */
export function otherAttempts<T extends NodeHistory>(
  known: ReadonlyMap<number, T>,
  meta: Pick<NodeMeta, 'parent' | 'second_parent'>,
  limit: number = MAX_OTHER_ATTEMPTS,
): T[] {
  const shown = new Set<number>(meta.second_parent === null ? [] : [meta.second_parent]);
  for (let node = meta.parent; node !== null && !shown.has(node); node = known.get(node)?.result.parent ?? null) shown.add(node);
  const candidates = [...known.values()].filter((k) => !shown.has(k.result.node) && fellShort(k.result, known)).sort((a, b) => b.result.node - a.result.node);
  const siblings = candidates.filter((k) => k.result.parent === meta.parent);
  const elsewhere = candidates.filter((k) => k.result.parent !== meta.parent);
  return [...siblings, ...elsewhere].slice(0, limit).sort((a, b) => a.result.node - b.result.node);
}

/** Buggy (crashed, timed out, no metric, rejected), missed the target, or reached it no faster than its parent(s). */
function fellShort(result: NodeResult, known: ReadonlyMap<number, NodeHistory>): boolean {
  switch (result.status) {
    case 'crashed':
    case 'timeout':
    case 'no-metric':
    case 'rejected':
    case 'missed-target':
      return true;
    case 'ok': {
      if (result.time_to_target_ms === null) return false;
      const parentTimes = [result.parent, result.second_parent]
        .map((p) => (p === null ? undefined : known.get(p)?.result))
        .filter((r): r is NodeResult => r?.status === 'ok' && r.time_to_target_ms !== null)
        .map((r) => r.time_to_target_ms!);
      // A fix of a buggy parent has nothing to be compared with: it is progress, not a dead end.
      return parentTimes.length > 0 && result.time_to_target_ms >= Math.min(...parentTimes);
    }
    default:
      return false;
  }
}
