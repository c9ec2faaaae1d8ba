import { readFile } from 'node:fs/promises';
import { getRecord, resolveRecordScript } from '../catalog/catalog.js';
import type { TrackManifest } from '../catalog/schema.js';
import type { CacheLayout } from '../paths.js';
import { UserError } from '../errors.js';
import type { Agent, AgentDescription, ProposeInput, Proposal } from './agent.js';

/** The oracle: proposes record i+1's own script, so its FSR should be about 1 (measurement noise aside). */
export class ReferenceAgent implements Agent {
  readonly name = 'reference';

  constructor(private readonly cache: CacheLayout) {}

  describe(): AgentDescription {
    return { name: this.name };
  }

  async propose(input: ProposeInput): Promise<Proposal> {
    return { ok: true, script: await referenceScript(input.manifest, input.record, this.cache), note: `applied record ${input.record + 1}'s script` };
  }
}

/** What the reference agent writes for task `record`: record+1's own script (`run --dry-run` shows the same). */
export async function referenceScript(manifest: TrackManifest, record: number, cache: CacheLayout): Promise<string> {
  getRecord(manifest, record + 1);
  return readFile(await resolveRecordScript(manifest, record + 1, cache), 'utf8');
}

/** Changes nothing: the floor of the benchmark. Its script equals the baseline, so it scores exactly 0. */
export class NullAgent implements Agent {
  readonly name = 'null';

  describe(): AgentDescription {
    return { name: this.name };
  }

  async propose(input: ProposeInput): Promise<Proposal> {
    return { ok: true, script: input.parentScript, note: 'left the script unchanged' };
  }
}

export const BUILTIN_AGENTS = ['reference', 'null'] as const;

export function builtinAgent(name: string, cache: CacheLayout): Agent {
  if (name === 'reference') return new ReferenceAgent(cache);
  if (name === 'null') return new NullAgent();
  throw new UserError(`unknown agent '${name}'`, `use one of: ${BUILTIN_AGENTS.join(', ')}`);
}
