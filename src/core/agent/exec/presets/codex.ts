import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROMPT_FILE, shellQuote, type CliPreset } from './cli-preset.js';

/** The provider config.toml defines: the run's proxy, with the run's token from OPENAI_API_KEY. */
const PROVIDER = 'speedrun';

/**
 * Codex CLI: the Responses API (the proxy passes it through or translates it to chat completions), configured by
 * ~/.codex/config.toml. `codex exec` runs one prompt (read from stdin) without asking; its own sandbox is off, as
 * the harness's executor is the sandbox. --json prints its events on stdout, and its session file stays under the
 * agent's HOME.
 */
export const codex: CliPreset = {
  name: 'codex',
  package: '@openai/codex',
  version: '0.171.0',
  bin: 'codex',
  apiStyle: 'responses',
  command(cli, model) {
    const flags = ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', '--json', '--color', 'never', '--model', model];
    // The proxy's address changes with every run, so it goes in from the environment the exec agent sets.
    const baseUrl = `-c "model_providers.${PROVIDER}.base_url=\\"$OPENAI_BASE_URL\\""`;
    return `${shellQuote(cli)} ${flags.map(shellQuote).join(' ')} ${baseUrl} - < ${PROMPT_FILE}`;
  },
  env() {
    return { NO_BROWSER: '1' };
  },
  async configure(home, model) {
    const config = [
      `model = ${JSON.stringify(model)}`,
      `model_provider = "${PROVIDER}"`,
      'check_for_update_on_startup = false',
      'web_search = "disabled"',
      '',
      `[model_providers.${PROVIDER}]`,
      'name = "speedrun model proxy"',
      'env_key = "OPENAI_API_KEY"',
      'wire_api = "responses"',
      '',
      '[analytics]',
      'enabled = false',
      '',
      '[feedback]',
      'enabled = false',
      '',
      '[otel]',
      'exporter = "none"',
      '',
    ].join('\n');
    await mkdir(join(home, '.codex'), { recursive: true });
    await writeFile(join(home, '.codex', 'config.toml'), config);
  },
};
