import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ATIF_VERSION } from '../../src/core/store/trajectory-schema.js';

/**
 * The published ATIF schema, as JSON Schema generated from Harbor's pydantic models (docs/architecture.md
 * "trajectory.json" says how). It is kept outside the repository: SPEEDRUN_ATIF_SCHEMA, or the default path below.
 */
export const PUBLISHED_SCHEMA =
  process.env.SPEEDRUN_ATIF_SCHEMA ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'speedrun', 'atif', `${ATIF_VERSION}.schema.json`);

/** Validates with Python's jsonschema (Draft 2020-12, what pydantic emits): each error as "path: message". */
const VALIDATE = `
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
doc = json.load(sys.stdin)
for e in Draft202012Validator(schema).iter_errors(doc):
    print("/".join(str(p) for p in e.absolute_path) + ": " + e.message)
if len(sys.argv) > 2:
    # Harbor's pydantic models themselves, which also check what JSON Schema cannot (step order, agent-only fields).
    sys.path.insert(0, sys.argv[2])
    from harbor.models.trajectories import Trajectory
    try:
        Trajectory.model_validate(doc)
    except Exception as e:
        print("pydantic: " + " ".join(str(e).split()))
`;

/** A folder holding Harbor's harbor/models/trajectories package, to validate with the models too (optional). */
const PUBLISHED_MODELS = process.env.SPEEDRUN_ATIF_MODELS;

let warned = false;

/**
 * Errors of `doc` against the published schema, or null when that check cannot run here (no schema file, or no
 * Python jsonschema): said once on stderr, so a skipped check is never mistaken for a passed one.
 */
export async function publishedSchemaErrors(doc: unknown): Promise<string[] | null> {
  const why = !existsSync(PUBLISHED_SCHEMA)
    ? `no published ATIF schema at ${PUBLISHED_SCHEMA}`
    : (await execa('python3', ['-c', 'import jsonschema'], { reject: false })).exitCode !== 0
      ? 'python3 has no jsonschema module'
      : null;
  if (why) {
    if (!warned) process.stderr.write(`SKIPPED: ATIF JSON-schema check (${why}); the zod mirror of the schema still ran\n`);
    warned = true;
    return null;
  }
  const run = await execa('python3', ['-c', VALIDATE, PUBLISHED_SCHEMA, ...(PUBLISHED_MODELS ? [PUBLISHED_MODELS] : [])], {
    input: JSON.stringify(doc),
    reject: false,
  });
  if (run.exitCode !== 0) throw new Error(`the JSON-schema check failed to run: ${run.stderr}`);
  return run.stdout.split('\n').filter((l) => l.trim());
}
