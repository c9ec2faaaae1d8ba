import { z } from 'zod';
import { sha256Hex } from '../catalog/files.js';

/**
 * The fixed taxonomy `speedrun ideas` classifies drafts into, drawn from the kinds of change the speedrun's records
 * made (docs/ideas.md gives examples of each). It goes into the prompts and every ideas.json by version: a changed
 * taxonomy is a new version, never an edit of this one, so entropies of different taxonomies are never mixed up.
 */
export const IDEA_TAXONOMY_VERSION = 'v1';

/** The classes, in the order prompts and reports list them; `covers` is what the model is told belongs there. */
export const IDEA_CLASSES = [
  {
    id: 'optimizer',
    covers: 'the update rule and its settings: which optimizer trains which parameters, learning rates, momentum, betas, weight decay, orthogonalized updates',
  },
  {
    id: 'architecture',
    covers:
      'what the network computes outside the attention mechanism: depth, width, MLP and activation, normalization, embeddings, skip connections, output head, initialization',
  },
  {
    id: 'attention',
    covers: 'how tokens attend to each other: positional encoding, attention masks and windows, heads, query/key normalization, the attention kernel',
  },
  {
    id: 'precision',
    covers: 'number formats: lower-precision matmuls, weights or activations kept in bf16 or fp8, autocast, scaling for low precision',
  },
  {
    id: 'schedule',
    covers:
      'how the training run is spent over time: step count, warmup and cool-down, the shape of the learning-rate or momentum schedule, settings that change during training',
  },
  {
    id: 'data/batching',
    covers: 'what each step trains on: batch size, sequence length, tokens per step, gradient accumulation, data order and loading, document boundaries',
  },
  {
    id: 'systems/kernels',
    covers:
      'the same computation made faster: compilation, fused or custom kernels, communication and its overlap across GPUs, memory layout, fewer host synchronizations',
  },
  { id: 'other', covers: 'anything that fits none of the classes above (evaluation or logging changes, seeds, bug fixes)' },
] as const;

export const IdeaClass = z.enum(IDEA_CLASSES.map((c) => c.id) as [(typeof IDEA_CLASSES)[number]['id'], ...Array<(typeof IDEA_CLASSES)[number]['id']>]);
export type IdeaClass = z.infer<typeof IdeaClass>;

export const IDEA_CLASS_IDS: readonly IdeaClass[] = IDEA_CLASSES.map((c) => c.id);

/** The taxonomy as the prompt shows it: one line per class. */
export function taxonomyText(): string {
  return IDEA_CLASSES.map((c) => `- "${c.id}": ${c.covers}`).join('\n');
}

/** sha256 of the taxonomy's text, recorded beside its version: a class's wording edited in place shows. */
export const IDEA_TAXONOMY_SHA256 = sha256Hex(`${IDEA_TAXONOMY_VERSION}\n${taxonomyText()}`);
