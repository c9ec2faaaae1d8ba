import type { z } from 'zod';

/**
 * Reading a model's structured answer: the JSON object it was asked for, or what is wrong with it in words the model
 * can act on (sent back to it with the feedback prompt).
 */

export type ReadAnswer<T> = { ok: true; answer: T } | { ok: false; problem: string };

/** A zod issue in words; null lets the generic wording stand. `fields` is the answer's object. */
export type DescribeIssue = (issue: z.core.$ZodIssue, fields: Record<string, unknown>) => string | null;

/**
 * Models often wrap JSON in a code fence or a sentence: the object is taken from between the outermost braces, then
 * parsed with `schema`. At most five problems are named.
 */
export function readJsonAnswer<T>(text: string, schema: z.ZodType<T>, describe: DescribeIssue = () => null): ReadAnswer<T> {
  const json = jsonObjectText(text);
  if (json === null) return { ok: false, problem: 'it holds no JSON object' };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    return { ok: false, problem: `it is not valid JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, answer: parsed.data };
  const fields = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  if (fields === null) return { ok: false, problem: 'it is not a JSON object' };
  const problems = parsed.error.issues.slice(0, 5).map((issue) => {
    const own = describe(issue, fields);
    if (own !== null) return own;
    const where = issue.path.length ? issue.path.map(String).join('.') : 'the answer';
    if (issue.path.length === 1 && fields[String(issue.path[0])] === undefined) return `${where} is missing`;
    return `${where}: ${issue.message}`;
  });
  return { ok: false, problem: problems.join('; ') };
}

function jsonObjectText(text: string): string | null {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start === -1 || end < start ? null : text.slice(start, end + 1);
}
