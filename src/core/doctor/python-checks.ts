/**
 * The local executor trains with a Python that imports torch. On CPU, torch's speed hangs on its BLAS: Debian's
 * python3-torch links the system libblas, which is the ~40× slower reference BLAS unless OpenBLAS provides it.
 */
import { failFromError, ok, skip, warn, type Verdict } from './check.js';
import type { DoctorCheck, DoctorContext } from './context.js';

const LOCAL_ONLY = (ctx: DoctorContext) =>
  ctx.config.executor === 'local'
    ? null
    : `only for --executor local (with ${ctx.config.executor}, Python runs ${ctx.config.executor === 'docker' ? 'inside the image' : "on the cluster's nodes"})`;

export const pythonCheck: DoctorCheck = {
  id: 'python',
  title: 'Python with torch',
  irrelevant: LOCAL_ONLY,
  run: async (ctx) => {
    try {
      const found = await ctx.python();
      return ok(`${found.python} (torch ${found.torchVersion})`);
    } catch (error) {
      return failFromError(error, 'install PyTorch and pass --python PATH');
    }
  },
};

/**
 * Asks the interpreter which BLAS torch uses: the build's BLAS_INFO (pip wheels link MKL or OpenBLAS statically),
 * and the shared libraries mapped after one matrix product (Debian's torch loads libblas.so.3 from whichever
 * package provides it; the path tells OpenBLAS from the reference implementation).
 */
const BLAS_PROBE = `
import json, re, torch
a = torch.ones(64, 64); a @ a
info = re.search(r"BLAS_INFO=([^,\\s]+)", torch.__config__.show())
libs = set()
try:
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and re.search(r"blas|mkl|blis", fields[5], re.I):
                libs.add(fields[5])
except OSError:
    pass
print(json.dumps({"blas_info": info.group(1) if info else None, "libs": sorted(libs)}))
`;

const FAST_BLAS = /openblas|mkl|blis|accelerate|armpl/i;
const OPENBLAS_FIX =
  'install the threaded OpenBLAS (Debian/Ubuntu: apt-get install libopenblas0-pthread), or use a PyTorch build with MKL/OpenBLAS (pip install torch)';

/** The interpreter that probes of torch run in, or the skip verdict when there is none (the python check fails then). */
export async function pythonToAsk(ctx: DoctorContext): Promise<string | Verdict> {
  try {
    return (await ctx.python()).python;
  } catch {
    return skip('no Python with torch to ask (see the python check)');
  }
}

export const blasCheck: DoctorCheck = {
  id: 'blas',
  title: "torch's BLAS",
  irrelevant: LOCAL_ONLY,
  run: async (ctx) => {
    const python = await pythonToAsk(ctx);
    if (typeof python !== 'string') return python;
    const result = await ctx.deps.run(python, ['-c', BLAS_PROBE], { timeoutMs: 60_000 });
    const probe = parseProbe(result.stdout);
    if (result.exitCode !== 0 || probe === null) {
      return warn(`could not tell which BLAS torch uses: ${(result.stderr || result.stdout).trim().split('\n').pop() ?? 'no output'}`, OPENBLAS_FIX);
    }
    return judgeBlas(probe);
  },
};

export interface BlasProbe {
  blas_info: string | null;
  libs: string[];
}

/** Reference BLAS is the one to warn about; fast ones, and builds we cannot see into, pass. */
export function judgeBlas(probe: BlasProbe): Verdict {
  const fastLib = probe.libs.find((lib) => FAST_BLAS.test(lib));
  if (fastLib) return ok(`${blasName(fastLib)} (${fastLib})`);
  if (probe.blas_info && FAST_BLAS.test(probe.blas_info)) return ok(`${probe.blas_info} (built into torch)`);
  const systemBlas = probe.libs.find((lib) => /libblas\.so/.test(lib));
  if (systemBlas) {
    return warn(`the reference BLAS (${systemBlas}): CPU training is about 40× slower than with OpenBLAS`, OPENBLAS_FIX);
  }
  return ok(`BLAS_INFO=${probe.blas_info ?? 'unknown'} (no separate BLAS library loaded)`);
}

function blasName(lib: string): string {
  if (/openblas/i.test(lib)) return 'OpenBLAS';
  if (/mkl/i.test(lib)) return 'MKL';
  if (/blis/i.test(lib)) return 'BLIS';
  return 'a tuned BLAS';
}

function parseProbe(stdout: string): BlasProbe | null {
  const last = stdout.trim().split('\n').pop();
  if (!last) return null;
  try {
    const parsed = JSON.parse(last) as Partial<BlasProbe>;
    return {
      blas_info: typeof parsed.blas_info === 'string' ? parsed.blas_info : null,
      libs: Array.isArray(parsed.libs) ? parsed.libs.filter((l): l is string => typeof l === 'string') : [],
    };
  } catch {
    return null;
  }
}
