import { readJsonAnswer, type ReadAnswer } from '../structured-ask/json-answer.js';
import { IdeaAnswer } from './ideas-file.js';
import { IDEA_CLASS_IDS } from './taxonomy.js';

const KNOWN = new Set<string>(IDEA_CLASS_IDS);

/** The class in a model's answer, or what is wrong with it: a class outside the taxonomy is named as such. */
export function readIdeaAnswer(text: string): ReadAnswer<IdeaAnswer> {
  const read = readJsonAnswer(text, IdeaAnswer, (issue, fields) => {
    const [field, index] = issue.path;
    const value = field === 'primary' ? fields.primary : field === 'secondary' && Array.isArray(fields.secondary) ? fields.secondary[Number(index)] : undefined;
    if (typeof value === 'string' && !KNOWN.has(value)) return `class ${JSON.stringify(value)} is not in the taxonomy (${IDEA_CLASS_IDS.join(', ')})`;
    return null;
  });
  // A secondary class equal to the primary says nothing more: dropped rather than sent back.
  if (read.ok) read.answer.secondary = [...new Set(read.answer.secondary.filter((c) => c !== read.answer.primary))];
  return read;
}
