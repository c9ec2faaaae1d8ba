import type { Command } from 'commander';
import Docker from 'dockerode';
import { AGENT_NAMES } from '../agent-setup.js';
import { parseTrackName } from '../../core/catalog/catalog.js';
import type { CheckStatus, DoctorReport } from '../../core/doctor/check.js';
import { EXECUTORS, type DoctorConfig, type ExecutorName } from '../../core/doctor/context.js';
import { runDoctor } from '../../core/doctor/run-doctor.js';
import { removeOrphanContainers } from '../../core/exec/docker/cleanup.js';
import { NVIDIA_SMI_ENV } from '../../core/exec/gpus.js';
import { runCommand } from '../../core/exec/command-runner.js';
import { UserError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { findConfig } from '../config.js';

interface DoctorFlags {
  executor: string;
  track: string;
  agent: string;
  model?: string;
  baseUrl?: string;
  config?: string;
  python?: string;
  gpus?: string;
  cleanup?: boolean;
  json?: boolean;
}

const MARKS: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };

/**
 * `speedrun doctor`: checks what a run with these flags needs. Exit 0 when no relevant check fails (warnings
 * pass); 1 when one does, set through process.exitCode after the report is printed, as `run` does for a run that
 * did not finish, so the whole report (or the JSON) still reaches stdout. Bad flags are exit 2 as everywhere.
 */
export function registerDoctorCommand(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description('check that this machine can run speedrun with the given executor, track and agent')
    .option('--executor <name>', `${EXECUTORS.join(' | ')}`, 'local')
    .option('--track <track>', 'tiny | nanogpt', 'tiny')
    .option('--agent <name>', `${AGENT_NAMES.join(' | ')} (llm: also check the model's key and endpoint)`, 'reference')
    .option('--model <name>', 'llm: a model profile in speedrun.config.yaml, or the model id the endpoint serves')
    .option('--base-url <url>', "llm: the OpenAI-compatible endpoint (overrides the profile's base_url)")
    .option('--config <file>', 'model profiles (default: $SPEEDRUN_CONFIG, else ./speedrun.config.yaml if present)')
    .option('--python <path>', 'the Python interpreter to check (default: $SPEEDRUN_PYTHON, else the usual candidates)')
    .option('--gpus <ids>', 'GPUs to check, e.g. 0-3,6 or all (also checks the GPUs when the track does not need them)')
    .option('--cleanup', 'also remove Docker containers left behind by killed runs')
    .option('--json', 'print { ok, checks } as one JSON object on stdout')
    .action(async (flags: DoctorFlags) => {
      const config = doctorConfig(ctx, flags);
      let docker: Docker | undefined;
      const dockerClient = () => (docker ??= new Docker());
      const report = await runDoctor(config, {
        env: ctx.env,
        cache: ctx.cache(),
        run: runCommand,
        nodeVersion: process.versions.node,
        nvidiaSmi: ctx.env[NVIDIA_SMI_ENV],
        docker: dockerClient,
        loadModelConfig: () => findConfig(ctx, flags.config),
        removeOrphanContainers: () => removeOrphanContainers(dockerClient()),
      });
      if (flags.json) ctx.json(report);
      else ctx.out(formatReport(report));
      if (!report.ok) process.exitCode = 1;
    });
}

function doctorConfig(ctx: CliContext, flags: DoctorFlags): DoctorConfig {
  if (!(EXECUTORS as readonly string[]).includes(flags.executor)) {
    throw new UserError(`unknown executor '${flags.executor}'`, `use one of: ${EXECUTORS.join(', ')}`);
  }
  if (!(AGENT_NAMES as readonly string[]).includes(flags.agent)) {
    throw new UserError(`unknown agent '${flags.agent}'`, `use one of: ${AGENT_NAMES.join(', ')}`);
  }
  return {
    executor: flags.executor as ExecutorName,
    track: parseTrackName(flags.track),
    agent: flags.agent,
    model: flags.model,
    baseUrl: flags.baseUrl,
    python: flags.python ?? (ctx.env.SPEEDRUN_PYTHON || undefined),
    gpus: flags.gpus,
    cleanup: flags.cleanup === true,
  };
}

/** One line per check with its mark, the fix indented below; then a verdict line. */
function formatReport(report: DoctorReport): string {
  const lines: string[] = [];
  for (const check of report.checks) {
    lines.push(`${MARKS[check.status]} ${check.title}: ${check.detail}`);
    if (check.fix && check.status !== 'ok' && check.status !== 'skip') lines.push(`    fix: ${check.fix}`);
  }
  lines.push(report.ok ? 'ready: this configuration can run' : 'not ready: fix the checks marked ✗ above');
  return lines.join('\n');
}
