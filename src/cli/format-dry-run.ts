import type { DryRun } from '../core/plan/dry-run.js';
import { describeFinding } from '../core/measure/integrity-report.js';

/** `speedrun run --dry-run` in words: node 1's script, what trains, and the executor's plan for it. */
export function formatDryRun(dry: DryRun): string {
  const { plan } = dry;
  const lines = [
    `dry run of ${dry.run_id}: nothing was created or started`,
    `node 1: ${dry.agent} agent on ${dry.track} record ${dry.record}; ${dry.script_diff ? 'its script against the baseline:' : "the baseline's own script"}`,
  ];
  if (dry.script_diff) lines.push(dry.script_diff.trimEnd());
  if (dry.smoke_diff) lines.push('smoke rewrite of node 1 (what trains):', dry.smoke_diff.trimEnd());
  if (dry.audit) {
    lines.push(`audit of node 1: ${dry.audit.verdict}${dry.audit.findings.length === 0 ? ' (no findings)' : ''}`);
    for (const f of dry.audit.findings) lines.push(`  ${describeFinding(f)}`);
  }
  lines.push(`executor: ${dry.executor}`, `command: ${plan.command.map(quote).join(' ')}`, 'environment:');
  for (const [key, value] of Object.entries(plan.env)) lines.push(`  ${key}=${value}`);
  lines.push('folders:');
  for (const m of plan.mounts) lines.push(`  ${m.readOnly ? 'read-only ' : 'writable  '} ${m.host}${m.target === m.host ? '' : ` → ${m.target}`}`);
  // Made by the executor in the node's folder, pointing where the process sees the target (exec/work-dir-links.ts).
  for (const link of dry.spec.links ?? []) lines.push(`  link       ${link.name} in the node's folder → ${link.target}`);
  lines.push(...plan.details, `scoring: ${dry.scoring}`);
  if (dry.notes.length > 0) lines.push('before a real run:', ...dry.notes.map((n) => `  - ${n}`));
  return `${lines.join('\n')}\n`;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
