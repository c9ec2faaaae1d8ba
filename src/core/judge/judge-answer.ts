import { readJsonAnswer, type ReadAnswer } from '../structured-ask/json-answer.js';
import { JudgeAnswer } from '../store/judge-file.js';

/** The verdict in a judge model's answer, or what is wrong with it in words the model can act on. */
export function readJudgeAnswer(text: string): ReadAnswer<JudgeAnswer> {
  return readJsonAnswer(text, JudgeAnswer, (issue, fields) =>
    issue.path.length === 1 && issue.path[0] === 'score' && typeof fields.score === 'number' ? `score ${fields.score} is outside [0, 1]` : null,
  );
}
