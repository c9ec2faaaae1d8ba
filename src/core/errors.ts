/**
 * Errors that map to the CLI's exit codes (docs/architecture.md, "Errors and exit codes"):
 * 1 a bug, 2 bad input (with the reason and a fix), 3 an external system failed.
 */
export class SpeedrunError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 | 3,
    readonly fix?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The user gave something wrong: a flag, a file, a config. Always say how to fix it. */
export class UserError extends SpeedrunError {
  constructor(message: string, fix?: string) {
    super(message, 2, fix);
  }
}

/** Something outside the tool failed: git, Python, Docker, Slurm, an LLM endpoint. */
export class ExternalError extends SpeedrunError {
  constructor(
    readonly system: string,
    /** The message without the system's name in front. */
    readonly detail: string,
    fix?: string,
  ) {
    super(`${system}: ${detail}`, 3, fix);
  }
}
