import { JudgeAnswer } from '../store/judge-file.js';

export type ReadAnswer = { ok: true; answer: JudgeAnswer } | { ok: false; problem: string };

/**
 * The verdict in a judge model's answer, or what is wrong with it in words the model can act on. Models often wrap
 * JSON in a code fence or a sentence; the object itself is taken from between the outermost braces.
 */
export function readJudgeAnswer(text: string): ReadAnswer {
  const json = jsonObjectText(text);
  if (json === null) return { ok: false, problem: 'it holds no JSON object' };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    return { ok: false, problem: `it is not valid JSON (${(error as Error).message})` };
  }
  const parsed = JudgeAnswer.safeParse(raw);
  if (parsed.success) return { ok: true, answer: parsed.data };
  const fields = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  if (fields === null) return { ok: false, problem: 'it is not a JSON object' };
  const problems = parsed.error.issues.slice(0, 5).map((issue) => {
    const where = issue.path.length ? issue.path.map(String).join('.') : 'the answer';
    if (issue.path.length === 1 && fields[String(issue.path[0])] === undefined) return `${where} is missing`;
    if (issue.path[0] === 'score' && typeof fields.score === 'number') return `score ${fields.score} is outside [0, 1]`;
    return `${where}: ${issue.message}`;
  });
  return { ok: false, problem: problems.join('; ') };
}

function jsonObjectText(text: string): string | null {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start === -1 || end < start ? null : text.slice(start, end + 1);
}
