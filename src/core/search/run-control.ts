/** A script a person wrote (the human agent), to be measured as a child of `parent`. */
export interface HumanEdit {
  parent: number;
  script: string;
  note: string;
}

/**
 * Steering a run from outside while it goes on (the terminal UI): pause the scaffold (nodes in flight finish, no new
 * ones start) and hand in human edits, which become nodes of the tree like any agent's.
 */
export class RunControl {
  private pausedNow = false;
  private readonly edits: HumanEdit[] = [];
  private readonly listeners = new Set<() => void>();

  get paused(): boolean {
    return this.pausedNow;
  }

  pause(): void {
    this.pausedNow = true;
    this.changed();
  }

  resume(): void {
    this.pausedNow = false;
    this.changed();
  }

  submit(edit: HumanEdit): void {
    this.edits.push(edit);
    this.changed();
  }

  /** The next human edit waiting to become a node, if any. */
  takeEdit(): HumanEdit | undefined {
    return this.edits.shift();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
