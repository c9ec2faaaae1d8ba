import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

/** The built binary, exactly as a user runs it (npm test builds dist/ first). */
export const BIN = fileURLToPath(new URL('../../bin/speedrun.js', import.meta.url));

export function speedrun(args: string[], env: Record<string, string> = {}, timeout = 600_000) {
  return execa('node', [BIN, ...args], { env: { ...env }, extendEnv: true, reject: false, timeout, stdin: 'ignore' });
}
