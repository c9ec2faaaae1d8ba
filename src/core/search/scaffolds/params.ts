import { z } from 'zod';

/** The node cap: agent nodes a run may create, the baseline not counted (docs/architecture.md, "Scaffolds": 20 for every scaffold). */
export const maxNodesParam = z.int().min(1).default(20);

/** A count of nodes (drafts, children per step, individuals per generation). */
export function countParam(defaultValue: number) {
  return z.int().min(1).default(defaultValue);
}

/** How many debug nodes may follow one another; 0 turns debugging off. */
export function depthParam(defaultValue: number) {
  return z.int().min(0).default(defaultValue);
}

export function probabilityParam(defaultValue: number) {
  return z.number().min(0).max(1).default(defaultValue);
}
