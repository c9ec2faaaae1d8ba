import { z } from 'zod';

/**
 * Harbor's Agent Trajectory Interchange Format (ATIF), the version a run's trajectory.json is written in. Our own
 * zod mirror of the published pydantic models (docs/architecture.md "trajectory.json" names the source): every
 * object refuses unknown keys, as the models do, and the models' checks beyond field types are the refinements
 * below. Version 1.6 is the newest whose models we checked field by field; ATIF 1.7 readers accept it unchanged.
 */
export const ATIF_VERSION = 'ATIF-v1.6';

const Extra = z.record(z.string(), z.unknown());

const ImageSource = z.strictObject({ media_type: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp']), path: z.string() });

const ContentPart = z
  .strictObject({ type: z.enum(['text', 'image']), text: z.string().optional(), source: ImageSource.optional() })
  .refine((p) => (p.type === 'text' ? p.text !== undefined && !p.source : p.source !== undefined && p.text === undefined), {
    message: 'a text part has text and no source, an image part a source and no text',
  });

const Content = z.union([z.string(), z.array(ContentPart)]);

export const AtifToolCall = z.strictObject({ tool_call_id: z.string(), function_name: z.string(), arguments: Extra });
export type AtifToolCall = z.infer<typeof AtifToolCall>;

export const AtifObservationResult = z.strictObject({
  source_call_id: z.string().optional(),
  content: Content.optional(),
  subagent_trajectory_ref: z.array(z.strictObject({ session_id: z.string(), trajectory_path: z.string().optional(), extra: Extra.optional() })).optional(),
});
export type AtifObservationResult = z.infer<typeof AtifObservationResult>;

export const AtifMetrics = z.strictObject({
  prompt_tokens: z.number().int().optional(),
  completion_tokens: z.number().int().optional(),
  cached_tokens: z.number().int().optional(),
  cost_usd: z.number().optional(),
  prompt_token_ids: z.array(z.number().int()).optional(),
  completion_token_ids: z.array(z.number().int()).optional(),
  logprobs: z.array(z.number()).optional(),
  extra: Extra.optional(),
});
export type AtifMetrics = z.infer<typeof AtifMetrics>;

/** Fields the format allows only on a step whose source is the agent. */
const AGENT_ONLY = ['model_name', 'reasoning_effort', 'reasoning_content', 'tool_calls', 'metrics'] as const;

export const AtifStep = z
  .strictObject({
    step_id: z.number().int().min(1),
    timestamp: z.iso.datetime({ offset: true }).optional(),
    source: z.enum(['system', 'user', 'agent']),
    model_name: z.string().optional(),
    reasoning_effort: z.union([z.string(), z.number()]).optional(),
    message: Content,
    reasoning_content: z.string().optional(),
    tool_calls: z.array(AtifToolCall).optional(),
    observation: z.strictObject({ results: z.array(AtifObservationResult) }).optional(),
    metrics: AtifMetrics.optional(),
    is_copied_context: z.boolean().optional(),
    extra: Extra.optional(),
  })
  .superRefine((step, ctx) => {
    if (step.source !== 'agent')
      for (const field of AGENT_ONLY)
        if (step[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `${field} is allowed only on agent steps` });
    const ids = new Set(step.tool_calls?.map((c) => c.tool_call_id));
    for (const [i, result] of (step.observation?.results ?? []).entries())
      if (result.source_call_id !== undefined && !ids.has(result.source_call_id))
        ctx.addIssue({ code: 'custom', path: ['observation', 'results', i, 'source_call_id'], message: 'names no tool call of its step' });
  });
export type AtifStep = z.infer<typeof AtifStep>;

export const AtifFinalMetrics = z.strictObject({
  total_prompt_tokens: z.number().int().optional(),
  total_completion_tokens: z.number().int().optional(),
  total_cached_tokens: z.number().int().optional(),
  total_cost_usd: z.number().optional(),
  total_steps: z.number().int().min(0).optional(),
  extra: Extra.optional(),
});
export type AtifFinalMetrics = z.infer<typeof AtifFinalMetrics>;

export const AtifTrajectory = z
  .strictObject({
    schema_version: z.literal(ATIF_VERSION),
    session_id: z.string(),
    agent: z.strictObject({
      name: z.string(),
      version: z.string(),
      model_name: z.string().optional(),
      tool_definitions: z.array(Extra).optional(),
      extra: Extra.optional(),
    }),
    steps: z.array(AtifStep).min(1),
    notes: z.string().optional(),
    final_metrics: AtifFinalMetrics.optional(),
    continued_trajectory_ref: z.string().optional(),
    extra: Extra.optional(),
  })
  .superRefine((t, ctx) => {
    t.steps.forEach((step, i) => {
      if (step.step_id !== i + 1) ctx.addIssue({ code: 'custom', path: ['steps', i, 'step_id'], message: `expected ${i + 1} (sequential from 1)` });
    });
  });
export type AtifTrajectory = z.infer<typeof AtifTrajectory>;
