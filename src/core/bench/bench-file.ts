import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { UserError } from '../errors.js';
import { BenchSpec } from './bench-spec.js';

/** A bench spec from a YAML file, every bad field named with its path. */
export async function loadBenchFile(path: string): Promise<BenchSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UserError(`cannot read bench file ${path}`, 'pass the path of a YAML bench spec');
  }
  const document = parseDocument(text);
  if (document.errors[0]) throw new UserError(`${path}: not valid YAML: ${document.errors[0].message}`, `fix the YAML syntax in ${path}`);
  return parseBenchSpec(document.toJS(), path);
}

/** A bench spec from any source (a file, the command line, the setup screen); `source` names it in errors. */
export function parseBenchSpec(value: unknown, source: string): BenchSpec {
  const parsed = BenchSpec.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new UserError(`${source}: ${problems.join('; ')}`, 'fix the bench spec (see `speedrun bench --help`)');
  }
  return parsed.data;
}
