import { z } from 'zod';

/**
 * The file formats of integrity findings: what `speedrun check --json` prints, and the audit a node's result.json
 * keeps. Kept apart from integrity.ts (which starts Python) so the store and the UI can import the shapes alone.
 */

/** A reject makes a node invalid; a flag keeps it valid but asks a human to look. */
export const SeveritySchema = z.enum(['reject', 'flag']);
export type Severity = z.infer<typeof SeveritySchema>;

export const FindingSchema = z.object({
  /** e.g. val_tokens, val_batch, val_loss, data_loading, clock, metric_print, monkey_patch, syntax, clock_crosscheck. */
  rule: z.string().min(1),
  severity: SeveritySchema,
  /** 1-based lines of the candidate script; empty when the finding is about something removed, or about the run. */
  lines: z.array(z.number().int().positive()),
  message: z.string(),
  /** The task's true next record makes the same change: the task itself, so a flag and never a reject. */
  by_record: z.boolean().optional(),
});
export type Finding = z.infer<typeof FindingSchema>;

export const VerdictSchema = z.enum(['ok', 'flag', 'reject']);
export type Verdict = z.infer<typeof VerdictSchema>;

export const IntegrityReportSchema = z.object({ verdict: VerdictSchema, findings: z.array(FindingSchema) });
export type IntegrityReport = z.infer<typeof IntegrityReportSchema>;

/** A finding as the audit log keeps it: with the text of the offending lines, so a reader needs no checkout. */
export const AuditFindingSchema = FindingSchema.extend({
  /** `LINE: text` of the candidate script's offending lines (at most AUDIT_EXCERPT_LINES of them). */
  excerpt: z.array(z.string()),
});

/** A node's integrity audit: the static check of its script against the run's baseline, plus the harness's own checks. */
export const NodeAuditSchema = z.object({
  verdict: VerdictSchema,
  /** sha256 of the baseline record script the node's script was compared with; null when only the harness checked. */
  baseline_sha256: z.string().nullable(),
  findings: z.array(AuditFindingSchema),
});
export type NodeAudit = z.infer<typeof NodeAuditSchema>;

/** Enough lines to show a trick; a finding over a whole region would otherwise copy the region into every result. */
export const AUDIT_EXCERPT_LINES = 8;

/** The verdict is the worst severity found; no findings is ok. */
export function verdictOf(findings: readonly Pick<Finding, 'severity'>[]): Verdict {
  if (findings.some((f) => f.severity === 'reject')) return 'reject';
  return findings.length > 0 ? 'flag' : 'ok';
}

/** Turns a checker report into an audit: each finding with its lines' text from the candidate script. */
export function auditOf(report: IntegrityReport, script: string, baselineSha256: string): NodeAudit {
  const lines = script.split('\n');
  const findings = report.findings.map((f) => ({
    ...f,
    excerpt: f.lines.slice(0, AUDIT_EXCERPT_LINES).map((n) => `${n}: ${lines[n - 1] ?? ''}`),
  }));
  return { verdict: verdictOf(findings), baseline_sha256: baselineSha256, findings };
}

/** The harness's own findings about a run (clock cross-check) as an audit with no static check behind it. */
export function harnessAudit(findings: readonly Finding[]): NodeAudit | null {
  if (findings.length === 0) return null;
  const audit = findings.map((f) => ({ ...f, excerpt: [] }));
  return { verdict: verdictOf(audit), baseline_sha256: null, findings: audit };
}

/** The static audit and the harness's audit of one node as one; the verdict follows the worst of them all. */
export function mergeAudits(script: NodeAudit | null, harness: NodeAudit | null): NodeAudit | null {
  if (!script || !harness) return script ?? harness;
  const findings = [...script.findings, ...harness.findings];
  return { verdict: verdictOf(findings), baseline_sha256: script.baseline_sha256, findings };
}

/** One line per finding, for progress output and prompts: `reject val_tokens (line 32): message`. */
export function describeFinding(f: Finding): string {
  const where = f.lines.length === 0 ? '' : ` (line${f.lines.length > 1 ? 's' : ''} ${f.lines.slice(0, 3).join(', ')}${f.lines.length > 3 ? ', …' : ''})`;
  return `${f.severity} ${f.rule}${where}: ${f.message}`;
}
