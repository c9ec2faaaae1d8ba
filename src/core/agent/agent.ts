import type { TrackManifest } from '../catalog/schema.js';

export interface ProposeInput {
  manifest: TrackManifest;
  /** The task's record i: the agent starts from its script and aims for record i+1's time. */
  record: number;
  parentScript: string;
  /** The composed hint (empty for `none`). */
  hint: string;
  signal?: AbortSignal;
}

export interface Proposal {
  script: string;
  /** One line on what the agent did, for logs and the journal. */
  note: string;
}

/** Anything that proposes a new training script: the LLM coder, the built-in oracles, a human. */
export interface Agent {
  readonly name: string;
  propose(input: ProposeInput): Promise<Proposal>;
}
