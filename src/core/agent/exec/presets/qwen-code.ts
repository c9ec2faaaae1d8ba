import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROMPT_FILE, shellQuote, type CliPreset } from './cli-preset.js';

/**
 * Qwen Code: chat completions with tools, configured by ~/.qwen/settings.json. `--approval-mode yolo` runs its
 * tools without asking (the workspace is all it is told about); stream-json on stdout is its transcript, and its
 * own chat recording stays under the agent's HOME.
 */
export const qwenCode: CliPreset = {
  name: 'qwen-code',
  package: '@qwen-code/qwen-code',
  version: '0.24.4',
  bin: 'qwen',
  apiStyle: 'chat completions',
  command(cli, model) {
    const flags = ['--auth-type', 'openai', '--model', model, '--approval-mode', 'yolo', '--output-format', 'stream-json', '--chat-recording'];
    // Its web tool would fetch from outside the run; the model is reached only through the proxy.
    flags.push('--exclude-tools', 'web_fetch');
    // The prompt goes in on stdin: no argument-length limit, and nothing in it is read as a flag.
    return `${shellQuote(cli)} ${flags.map(shellQuote).join(' ')} < ${PROMPT_FILE}`;
  },
  env() {
    // The settings say so too; the variables win over any settings file the CLI might find elsewhere.
    return { QWEN_TELEMETRY_ENABLED: 'false', QWEN_USAGE_STATISTICS_ENABLED: 'false', NO_BROWSER: '1', CI: '1' };
  },
  async configure(home, model) {
    const settings = {
      general: { enableAutoUpdate: false, chatRecording: true },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
      security: { auth: { selectedType: 'openai' }, folderTrust: { enabled: false } },
      model: { name: model },
    };
    await mkdir(join(home, '.qwen'), { recursive: true });
    await writeFile(join(home, '.qwen', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  },
};
