/** How an LLM's answer is turned into a new script. Selectable per model profile. */
export const EDIT_FORMATS = ['search-replace', 'udiff', 'whole'] as const;
export type EditFormatName = (typeof EDIT_FORMATS)[number];

/**
 * The result of applying a response to a script. A failure never changes the script: it carries a message
 * precise enough to send back to the model (which block failed, the closest lines in the script).
 */
export type EditOutcome =
  | {
      ok: true;
      script: string;
      /** how many blocks / hunks were applied (1 for a whole file) */ applied: number;
      /** tolerances used, e.g. "block 2 matched ignoring indentation" */ notes: string[];
    }
  | { ok: false; message: string };

export interface EditFormat {
  readonly name: EditFormatName;
  /** Applies the edits found in `response` (the model's whole answer, prose included) to `script`. */
  apply(script: string, response: string): EditOutcome;
}
