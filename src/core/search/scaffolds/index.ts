import { z } from 'zod';
import { UserError } from '../../errors.js';
import { AideParams, aideScaffold, GreedyParams, greedyScaffold, MultiAideParams } from './aide.js';
import { bestFirstScaffold, ForestParams, TreeParams } from './best-first.js';
import { EvolutionaryParams, evolutionaryScaffold } from './evolutionary.js';
import { FlatParams, flatScaffold } from './flat.js';
import { MctsParams, mctsScaffold } from './mcts.js';
import type { Scaffold } from './scaffold.js';

export type { Decision, Scaffold, SearchView, TreeNode } from './scaffold.js';
export { decisionRandom } from './random.js';

/** The search policies of docs/architecture.md, "Scaffolds"; each file documents its policy, settings and their sources. */
export const SCAFFOLD_NAMES = ['flat', 'tree', 'forest', 'aide', 'multi-aide', 'greedy', 'mcts', 'evolutionary'] as const;
export type ScaffoldName = (typeof SCAFFOLD_NAMES)[number];

const PARAMS = {
  flat: FlatParams,
  tree: TreeParams,
  forest: ForestParams,
  aide: AideParams,
  'multi-aide': MultiAideParams,
  greedy: GreedyParams,
  mcts: MctsParams,
  evolutionary: EvolutionaryParams,
} as const;

/**
 * A scaffold as a user or a bench matrix writes it: a bare name (`"aide"`) or `{ name, ...params }`
 * (`{ name: "mcts", uct_c: 0.5 }`). Parsing checks the name and every parameter against the scaffold's strict schema
 * (unknown parameters are rejected) but keeps the spec as written, so run ids built from it stay stable; the defaults
 * are filled in by makeScaffold and recorded in the scaffold's `params`.
 */
export const ScaffoldSpec = z.union([z.string(), z.looseObject({ name: z.string() })]).superRefine((spec, ctx) => {
  const checked = checkSpec(spec);
  if ('problem' in checked) ctx.addIssue({ code: 'custom', message: `${checked.problem} (${checked.fix})`, input: spec });
});
export type ScaffoldSpec = z.infer<typeof ScaffoldSpec>;

export interface MakeScaffoldOptions {
  /** The node cap for this run; overrides the spec's max_nodes (e.g. from --nodes or a bench's `nodes`). */
  nodes?: number;
}

/** Builds the scaffold a spec names, with its parameters checked; a bad name or parameter is a UserError saying which. */
export function makeScaffold(spec: unknown, options: MakeScaffoldOptions = {}): Scaffold {
  const { nodes } = options;
  if (nodes !== undefined && !(Number.isInteger(nodes) && nodes >= 1)) {
    throw new UserError(`the node cap must be a positive integer, got ${nodes}`, 'pass e.g. --nodes 20');
  }
  const checked = checkSpec(spec, nodes);
  if ('problem' in checked) throw new UserError(checked.problem, checked.fix);
  return checked.scaffold;
}

type Checked = { scaffold: Scaffold } | { problem: string; fix: string };

function checkSpec(spec: unknown, nodes?: number): Checked {
  const split = splitSpec(spec);
  if ('problem' in split) return split;
  const { name } = split;
  const params = nodes === undefined ? split.params : { ...split.params, max_nodes: nodes };
  switch (name) {
    case 'flat':
      return build(name, FlatParams, params, flatScaffold);
    case 'tree':
      return build(name, TreeParams, params, (p) => bestFirstScaffold('tree', p));
    case 'forest':
      return build(name, ForestParams, params, (p) => bestFirstScaffold('forest', p));
    case 'aide':
      return build(name, AideParams, params, (p) => aideScaffold('aide', p));
    case 'multi-aide':
      return build(name, MultiAideParams, params, (p) => aideScaffold('multi-aide', p));
    case 'greedy':
      return build(name, GreedyParams, params, greedyScaffold);
    case 'mcts':
      return build(name, MctsParams, params, mctsScaffold);
    case 'evolutionary':
      return build(name, EvolutionaryParams, params, evolutionaryScaffold);
  }
}

/** A scaffold's parameters with nothing set: its defaults (flat's drafts follows max_nodes, so it is absent). */
export function scaffoldDefaults(name: ScaffoldName): Record<string, unknown> {
  return { ...PARAMS[name].parse({}) };
}

function isScaffoldName(value: unknown): value is ScaffoldName {
  return typeof value === 'string' && (SCAFFOLD_NAMES as readonly string[]).includes(value);
}

function splitSpec(spec: unknown): { name: ScaffoldName; params: Record<string, unknown> } | { problem: string; fix: string } {
  const accepted = SCAFFOLD_NAMES.join(', ');
  if (typeof spec === 'string') {
    if (!isScaffoldName(spec)) return { problem: `unknown scaffold "${spec}"; accepted: ${accepted}`, fix: `use one of: ${accepted}` };
    return { name: spec, params: {} };
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    return {
      problem: `a scaffold must be a name or an object with a name; accepted names: ${accepted}`,
      fix: 'write e.g. "aide" or { "name": "aide", "debug_prob": 0.3 }',
    };
  }
  const { name, ...params } = spec as Record<string, unknown>;
  if (!isScaffoldName(name)) {
    const what = name === undefined ? 'the scaffold has no name' : `unknown scaffold name "${String(name)}"`;
    return { problem: `${what}; accepted: ${accepted}`, fix: `set "name" to one of: ${accepted}` };
  }
  return { name, params };
}

function build<S extends z.ZodObject>(name: ScaffoldName, schema: S, params: Record<string, unknown>, make: (params: z.output<S>) => Scaffold): Checked {
  const parsed = schema.safeParse(params);
  if (parsed.success) return { scaffold: make(parsed.data) };
  const problems = parsed.error.issues.map((issue) =>
    issue.code === 'unrecognized_keys'
      ? `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
      : `${issue.path.join('.') || 'parameters'}: ${issue.message}`,
  );
  return { problem: `scaffold ${name}: ${problems.join('; ')}`, fix: `${name} accepts: ${describeParams(name)}` };
}

function describeParams(name: ScaffoldName): string {
  const defaults = scaffoldDefaults(name);
  return Object.keys(PARAMS[name].shape)
    .map((key) => (defaults[key] === undefined ? key : `${key} (default ${String(defaults[key])})`))
    .join(', ');
}
