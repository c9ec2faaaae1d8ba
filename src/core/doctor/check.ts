/**
 * `speedrun doctor`'s checks as data: each says what it looked at, what it found, and how to fix what is wrong.
 * The CLI only prints them; tests and --json read them as they are.
 */
import { SpeedrunError } from '../errors.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it; present whenever the status is warn or fail. */
  fix?: string;
}

/** A check's verdict before its id and title are attached. */
export type Verdict = Omit<CheckResult, 'id' | 'title'>;

export interface DoctorReport {
  /** True when no relevant check failed (warnings and skips do not count against it). */
  ok: boolean;
  checks: CheckResult[];
}

export const ok = (detail: string): Verdict => ({ status: 'ok', detail });
export const warn = (detail: string, fix: string): Verdict => ({ status: 'warn', detail, fix });
export const fail = (detail: string, fix: string): Verdict => ({ status: 'fail', detail, fix });
export const skip = (detail: string): Verdict => ({ status: 'skip', detail });

/** A failure thrown by the code a check calls: our own errors carry their fix, anything else is reported as is. */
export function failFromError(error: unknown, fallbackFix: string): Verdict {
  if (error instanceof SpeedrunError) return fail(error.message, error.fix ?? fallbackFix);
  return fail(error instanceof Error ? error.message : String(error), fallbackFix);
}

export function reportOf(checks: CheckResult[]): DoctorReport {
  return { ok: checks.every((check) => check.status !== 'fail'), checks };
}

/** Gives a promise `ms` to settle; a hung daemon or socket must not hang the doctor. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
