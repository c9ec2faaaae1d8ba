import type { Command } from 'commander';
import { CLI_PRESETS, cliPreset } from '../../core/agent/exec/presets/index.js';
import { installCli, installDir } from '../../core/agent/exec/presets/locate-cli.js';
import { UserError } from '../../core/errors.js';
import type { CliContext } from '../context.js';

/**
 * `speedrun agents`: the coding CLIs `--agent NAME` runs (docs/agent-protocol.md, "Coding CLIs"). A run installs
 * its CLI on first use; `install` does it ahead of time, e.g. before going offline.
 */
export function registerAgentsCommands(program: Command, ctx: CliContext): void {
  const agents = program.command('agents').description('Coding CLIs run as agents (--agent qwen-code, --agent codex)');
  agents
    .command('list')
    .description('the coding CLI presets, the version each was tested with, and the API it speaks')
    .action(() => {
      for (const preset of Object.values(CLI_PRESETS))
        ctx.out(`${preset.name}: ${preset.package}@${preset.version}, ${preset.apiStyle}, installed under ${installDir(ctx.cache().root, preset)}`);
    });
  agents
    .command('install <name>')
    .description('install a coding CLI at its tested version under the cache (runs reuse it)')
    .action(async (name: string) => {
      const preset = cliPreset(name);
      if (!preset) throw new UserError(`no coding CLI preset '${name}'`, `use one of: ${Object.keys(CLI_PRESETS).join(', ')}`);
      const bin = await installCli(preset, ctx.cache().root, ctx.env, ctx.log);
      ctx.out(bin);
    });
}
