import { findPythonWithTorch, type PythonWithTorch } from '../core/exec/python.js';
import { installDebianTorch, planTorchInstall } from '../core/exec/install-torch.js';
import { ExternalError, SpeedrunError } from '../core/errors.js';
import type { CliContext } from './context.js';

/**
 * For the demo on a fresh machine: find a Python with torch, installing Debian's CPU PyTorch (and the threaded
 * OpenBLAS it needs to be fast) when that is possible here; otherwise say exactly what to install.
 */
export async function ensureTorch(ctx: CliContext, named: string | undefined, allowInstall: boolean): Promise<PythonWithTorch> {
  const plan = await planTorchInstall();
  let found: PythonWithTorch | null = null;
  try {
    found = await findPythonWithTorch(named);
  } catch (error) {
    if (named || !(error instanceof SpeedrunError)) throw error;
  }
  const missingBlas = plan.missing.includes('libopenblas0-pthread');
  if (found && !missingBlas) return found;
  if (found && missingBlas && found.python !== '/usr/bin/python3') return found; // not Debian's torch: its BLAS is its own
  if (!allowInstall || plan.blocker) {
    const why = plan.blocker ?? 'installing was turned off (--no-install)';
    if (found) {
      ctx.log(`warning: libopenblas0-pthread is missing, so torch will be about 40× slower (${why}); install it with apt-get install libopenblas0-pthread`);
      return found;
    }
    throw new ExternalError(
      'python',
      `no Python with torch found, and it cannot be installed automatically: ${why}`,
      `install PyTorch (Debian: apt-get install ${plan.missing.join(' ')}) or pass --python PATH`,
    );
  }
  ctx.log(`installing ${plan.missing.join(', ')} with apt-get (Debian's CPU PyTorch)…`);
  await installDebianTorch(plan.missing, ctx.log);
  return findPythonWithTorch(named);
}
